package org.dinoj.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.dinoj.worker.jobs.JobService;
import org.dinoj.workflows.JobStatus;
import org.dinoj.workflows.Progress;
import org.junit.jupiter.api.Test;

class ProgressLineTest {
    private static final Progress AT_STEP_0 = new Progress("j", JobStatus.RUNNING, 1, 4, 0, 40, null, null, null, -1, 0, null);
    private static final Instant T0 = Instant.parse("2026-11-28T15:00:00Z");
    /** What a round meets on a mount that is gone: retried, since the mount may come back. */
    private static final String GONE = "image folder /mnt/photos for 'folder:/mnt/photos' does not exist or is not a"
            + " directory: check the path";

    @Test
    void aRetriedRoundSaysWhichAttemptFailedAndWhy() {
        // As the embedded server reports a round waiting out its back-off: started, last heartbeat at its start.
        JobService.PendingRound waiting = new JobService.PendingRound("r0", 13, "started", null, GONE, T0,
                T0.plusMillis(1), "train round 3, shard 0 (of 1): to step 400 of 1000");
        // Named as the Temporal UI names it.
        assertThat(ProgressLine.retryNote(List.of(waiting))).hasValue("train round 3, shard 0 (of 1): to step 400 of 1000;"
                + " attempt 12 failed and Temporal retries it (attempt 13): " + GONE);
        // The progress line itself stays one terminal line.
        assertThat(ProgressLine.render(AT_STEP_0, List.of(waiting), 0))
                .isEqualTo("epoch 1/4  step 0/40 [------------------------]   0%  loss -  0.0 img/s  running");
    }

    @Test
    void theFirstRoundPastItsFirstAttemptIsNamed() {
        JobService.PendingRound fine = new JobService.PendingRound("r0", 1, "started", null, null, T0, null, null);
        JobService.PendingRound retried = new JobService.PendingRound("r1", 2, "scheduled", null, "disk gone", T0, null,
                null);
        // Without a label (a run recorded before summaries): by its activity id.
        assertThat(ProgressLine.retryNote(List.of(fine, retried)))
                .hasValue("round r1; attempt 1 failed and Temporal retries it (attempt 2): disk gone");
    }

    @Test
    void aFirstAttemptHasNoNote() {
        JobService.PendingRound first = new JobService.PendingRound("r0", 1, "scheduled", null, null, null, null, null);
        assertThat(ProgressLine.retryNote(List.of(first))).isEmpty();
        assertThat(ProgressLine.retryNote(List.of())).isEmpty();
    }

    @Test
    void aScheduleIsShownWholeOnceThenOnlyWhatTheWorkflowAdded() {
        String sized = "30 epochs (300 steps, 15 k-NN evaluation(s)), predicted to take 1.2 of the 1.4 minutes left"
                + " (the configuration said 4 epochs); measured 500.0 img/s (0.008 s a step)";
        assertThat(ProgressLine.scheduleNews(null, sized)).isEqualTo(sized);
        String shortened = sized + "; at step 40 its rounds took 0.310 s a step, slower than measured, so it was"
                + " shortened to 12 epochs (120 steps) to end within its time budget";
        assertThat(ProgressLine.scheduleNews(sized, shortened)).isEqualTo("at step 40 its rounds took 0.310 s a step,"
                + " slower than measured, so it was shortened to 12 epochs (120 steps) to end within its time budget");
        // A later shortening replaces the earlier reason: that clause is the news.
        String again = sized + "; at step 80 its rounds took 0.400 s a step, slower than measured, so it was"
                + " shortened to 10 epochs (100 steps) to end within its time budget";
        assertThat(ProgressLine.scheduleNews(shortened, again)).isEqualTo("at step 80 its rounds took 0.400 s a step,"
                + " slower than measured, so it was shortened to 10 epochs (100 steps) to end within its time budget");
        // Another schedule altogether (a job restarted from the registry) is shown whole, and so is one
        // whose sizing text changed, not only its last clause.
        assertThat(ProgressLine.scheduleNews(sized, "12 epochs")).isEqualTo("12 epochs");
        String remeasured = sized.replace("500.0 img/s", "510.0 img/s");
        assertThat(ProgressLine.scheduleNews(shortened, remeasured)).isEqualTo(remeasured);
    }
}
