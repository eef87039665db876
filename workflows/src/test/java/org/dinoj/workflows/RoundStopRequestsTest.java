package org.dinoj.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The round's cadence of status reads, and which statuses stop a round. */
class RoundStopRequestsTest {

    @Test
    void readsTheStatusEveryQuarterHeartbeatTimeoutWithinBounds() {
        assertThat(RoundStopRequests.interval(Duration.ofSeconds(1))).isEqualTo(Duration.ofMillis(250));
        assertThat(RoundStopRequests.interval(Duration.ofSeconds(2))).isEqualTo(Duration.ofMillis(500));
        // Production's 30 s heartbeat timeout: a pause still reaches the round within 2 s.
        assertThat(RoundStopRequests.interval(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(2));
        assertThat(RoundStopRequests.interval(Duration.ofMillis(100))).isEqualTo(Duration.ofMillis(50));
        assertThat(RoundStopRequests.interval(Duration.ZERO)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void onlyPausingAndCancellingStopARound() {
        assertThat(Arrays.stream(JobStatus.values()).filter(JobStatus::stopsRounds))
                .containsExactlyInAnyOrder(JobStatus.PAUSING, JobStatus.CANCELLING);
    }
}
