package org.dinoj.worker.jobs;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The cron check of a schedule on the embedded server (a cron workflow), before it is created. */
class CronCheckTest {
    @Test
    void aCronThatNeverComesIsRefusedWithTheLikelyReason() {
        assertThatThrownBy(() -> JobSchedules.checkFiresOnTheEmbeddedServer("0 3 31 2 *"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cron expression '0 3 31 2 *' never fires (no time after ")
                .hasMessageEndingWith(" matches it): a day-of-month that the month does not have, such as"
                        + " '0 3 31 2 *'? (minute hour day-of-month month day-of-week, UTC)");
        assertThatThrownBy(() -> JobSchedules.checkFiresOnTheEmbeddedServer("0 0 30 2 *"))
                .hasMessageContaining("never fires");
    }

    @Test
    void anUnreadableCronIsRefusedAndRealOnesPass() {
        assertThatThrownBy(() -> JobSchedules.checkFiresOnTheEmbeddedServer("0 25 * * *"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cron expression '0 25 * * *' is not valid: ")
                .hasMessageEndingWith(" (minute hour day-of-month month day-of-week, UTC)");
        for (String cron : new String[] {"0 3 * * *", "*/5 * * * *", "0 3 29 2 *", "30 2 * * 1-5", "0 0 1 */3 *"}) {
            assertThatCode(() -> JobSchedules.checkFiresOnTheEmbeddedServer(cron)).as(cron).doesNotThrowAnyException();
        }
    }
}
