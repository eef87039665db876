package org.dinoj.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.dinoj.worker.jobs.JobService;
import org.dinoj.workflows.CheckpointRef;
import org.dinoj.workflows.EvalResult;
import org.dinoj.workflows.JobResult;
import org.dinoj.workflows.JobStatus;
import org.dinoj.workflows.Progress;
import org.dinoj.workflows.RoundHeartbeat;
import org.dinoj.workflows.TrainingMetrics;
import org.junit.jupiter.api.Test;

/**
 * {@code jobs status}: a job whose workflow has ended is read from its result (no worker needed); a
 * running job's summary line takes its step from the rounds' heartbeats.
 */
class JobsCommandTest {

    @Test
    void aClosedJobShowsItsEndStateLastStepEvaluationAndFinalCheckpoint() {
        JobResult result = new JobResult("fm-1", JobStatus.COMPLETED, 1500,
                new CheckpointRef("file:///ckpt/fm-1/shard-0/step-0000001500/", "ab12", 1500),
                new EvalResult(15, 1500, 20, 88.25, 99.1),
                new TrainingMetrics(1500, 6.5, Map.of("dino_local_crops_loss", 3.0), 1.5e-6, 1.0, 31.4));

        String text = JobsCommand.closedText(result);

        assertThat(text).startsWith("fm-1: completed at step 1500\n")
                .contains("last step: loss 6.5000, lr 1.50e-06, 31.4 img/s")
                .contains("last k-NN (epoch 15, k=20): top-1 88.25%, top-5 99.10%")
                .contains("final checkpoint: step 1500  file:///ckpt/fm-1/shard-0/step-0000001500/");
    }

    @Test
    void aJobCancelledBeforeAnyEvaluationSaysSoWithoutEmptyLines() {
        JobResult result = new JobResult("fm-2", JobStatus.CANCELLED, 40, null, null, null);

        assertThat(JobsCommand.closedText(result)).isEqualTo("fm-2: cancelled at step 40\n");
    }

    @Test
    void aRunningJobsSummaryShowsTheStepOfItsRoundsNotOfTheRoundStart() {
        // 15 epochs of 100 steps; the workflow last heard of step 300 (the round's start), the round is at 487.
        Progress atRoundStart = new Progress("fm-3", JobStatus.RUNNING, 3, 15, 300, 1500, null, null, null, -1, 0, null);
        RoundHeartbeat hb = new RoundHeartbeat(487, 600, 9.87, 140.0, null, null);
        List<JobService.PendingRound> rounds = List.of(
                new JobService.PendingRound("r-1", 1, "started", hb, null, null, null, null));

        assertThat(JobsCommand.withLiveStep(atRoundStart, rounds).summary())
                .isEqualTo("running: epoch 5/15, step 487/1500");
        assertThat(JobsCommand.withLiveStep(atRoundStart, List.of()).summary())
                .isEqualTo("running: epoch 4/15, step 300/1500");
        // The workflow's ETA (1200 s for the 1200 steps left at the round's start) counts the 187 steps done since.
        Progress withEta = new Progress("fm-3", JobStatus.RUNNING, 3, 15, 300, 1500, null, null, null, 1200, 0, null);
        assertThat(JobsCommand.withLiveStep(withEta, rounds).etaSeconds()).isEqualTo(1013);
    }

    @Test
    void aRetrainingWithoutACheckpointOfItsOwnListsItsBaseAsSuch(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        CheckpointRef base = new CheckpointRef("file:///models/base/shard-0/step-0000007000", "ab12", 7000);
        org.dinoj.workflows.JobSpec retraining = new org.dinoj.workflows.JobSpec("retrain", "retrain",
                "optim:\n  epochs: 1\n", "tiny", dir.resolve("retrain").toUri().toString(), base, 1, 1, 10, 5, 5, 1, 10,
                new org.dinoj.workflows.ActivitySettings("q", java.time.Duration.ofSeconds(30),
                        java.time.Duration.ofHours(1), 0), 0);
        new org.dinoj.worker.jobs.JobRegistry(dir).register(retraining);
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stdout = System.out;
        try {
            System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
            assertThat(DinojCli.commandLine().execute("jobs", "list", "--temporal", "127.0.0.1:" + port,
                    "--checkpoint-dir", dir.toString())).isZero();
        } finally {
            System.setOut(stdout);
        }
        assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8))
                .containsPattern("(?m)^retrain\\s+running\\s+step 7000 \\(its base: none of its own yet\\)$");

        // status as well falls back to the registry (an embedded server ends with its 'pretrain').
        out.reset();
        try {
            System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
            assertThat(DinojCli.commandLine().execute("jobs", "status", "retrain", "--temporal", "127.0.0.1:" + port,
                    "--checkpoint-dir", dir.toString())).isZero();
        } finally {
            System.setOut(stdout);
        }
        assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("(no Temporal service at 127.0.0.1:"
                + port + ": showing the registry only)\nretrain: registry: running at step 7000 (its base: none of its own"
                + " yet) (tiny)\n  latest checkpoint: file:///models/base/shard-0/step-0000007000\n");
    }
}
