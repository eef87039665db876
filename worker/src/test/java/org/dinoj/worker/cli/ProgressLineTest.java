package org.dinoj.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.dinoj.worker.jobs.JobService;
import org.dinoj.workflows.JobStatus;
import org.dinoj.workflows.Progress;
import org.dinoj.workflows.RoundHeartbeat;
import org.junit.jupiter.api.Test;

class ProgressLineTest {
    private static final Progress AT_STEP_0 = new Progress("j", JobStatus.RUNNING, 1, 4, 0, 40, null, null, null, -1, 0, null);
    private static final Instant T0 = Instant.parse("2026-11-28T15:00:00Z");
    private static final String DAMAGED = "1 of the 55 images of folder:/data/own are damaged or not images, more than"
            + " data.max_bad_fraction allows (1%; first: /data/own/trunc.jpg): fix or remove these files, or raise"
            + " data.max_bad_fraction";

    @Test
    void aRoundWaitingForItsRetrySaysWhichAttemptAndWhyTheLastFailed() {
        JobService.PendingRound waiting = new JobService.PendingRound("r0", 13, "scheduled", null, DAMAGED, T0, null);
        assertThat(ProgressLine.retryNote(List.of(waiting))).hasValue("round r0 failed and is retried (attempt 13): " + DAMAGED);
        // The progress line itself stays one terminal line.
        assertThat(ProgressLine.render(AT_STEP_0, List.of(waiting), 0))
                .isEqualTo("epoch 1/4  step 0/40 [------------------------]   0%  loss -  0.0 img/s  running");
    }

    @Test
    void anAttemptFailingAgainBeforeItsFirstHeartbeatKeepsTheNote() {
        JobService.PendingRound failingAgain = new JobService.PendingRound("r0", 2, "started", null, "disk gone", T0, null);
        assertThat(ProgressLine.retryNote(List.of(failingAgain))).hasValue("round r0 failed and is retried (attempt 2): disk gone");
    }

    @Test
    void anAttemptThatTrainsAgainDropsTheNote() {
        RoundHeartbeat beating = new RoundHeartbeat(7, 20, 3.25, 40.0, null, null);
        JobService.PendingRound training = new JobService.PendingRound("r0", 2, "started", beating, "disk gone", T0,
                T0.plusSeconds(3));
        assertThat(ProgressLine.retryNote(List.of(training))).isEmpty();
        // Its heartbeat from before the failed attempt does not count as training again.
        JobService.PendingRound stale = new JobService.PendingRound("r0", 3, "started", beating, "disk gone",
                T0.plusSeconds(60), T0.plusSeconds(3));
        assertThat(ProgressLine.retryNote(List.of(stale))).hasValue("round r0 failed and is retried (attempt 3): disk gone");
    }

    @Test
    void aFirstAttemptHasNoNote() {
        JobService.PendingRound first = new JobService.PendingRound("r0", 1, "scheduled", null, null, null, null);
        assertThat(ProgressLine.retryNote(List.of(first))).isEmpty();
    }
}
