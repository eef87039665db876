package org.dinoj.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dinoj.model.checkpoint.CheckpointStore;
import org.dinoj.worker.jobs.JobRecord;
import org.dinoj.worker.jobs.JobRegistry;
import org.dinoj.worker.jobs.JobService;
import org.dinoj.workflows.RoundHeartbeat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dinoj pretrain} while its job is cancelled in Temporal itself, as the UI's "Request
 * Cancellation" and {@code temporal workflow cancel} do: the interrupted round checkpoints where it
 * is, the command says so and exits, and the registry holds the job CANCELLED at that checkpoint.
 * Before, the command kept printing the last progress of a workflow that had closed.
 */
class TemporalCancelPretrainTest {
    private static final Duration LIMIT = Duration.ofSeconds(120);

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void aJobCancelledInTemporalStopsAtTheInterruptedRoundsCheckpointAndTheCommandEnds() throws Exception {
        Path log = dir.resolve("pretrain.log");
        Path checkpoints = dir.resolve("ckpt");
        // Epochs of one round of 5000 steps (about 30 s here), checkpointed only at its end: any
        // checkpoint before step 5000 is the cancel's.
        Process pretrain = ProductionClassPath.startDinoj(dir, log,
                "pretrain", "--config", "tiny-test", "--set", "data.dataset=synthetic:256:16x16x1",
                "--set", "optim.epochs=2", "--set", "train.OFFICIAL_EPOCH_LENGTH=5000", "--set", "job.steps_per_round=5000",
                "--set", "job.checkpoint_every_steps=5000", "--set", "job.heartbeat_timeout_seconds=2", "--job-id", "cancel-me",
                "--checkpoint-dir", checkpoints.toString(), "--port", "0");
        WorkflowServiceStubs stubs = null;
        try {
            String target = ProductionClassPath.awaitOutput(log, Pattern.compile("Temporal: (\\S+) \\(embedded"), LIMIT).group(1);
            stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
            WorkflowClient client = WorkflowClient.newInstance(stubs);
            JobService jobs = new JobService(client, new JobRegistry(checkpoints));
            long stepAtCancel = awaitTrainingPast(jobs, 3, log);

            client.newUntypedWorkflowStub("cancel-me").cancel();

            assertThat(pretrain.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
            String out = Files.readString(log);
            assertThat(pretrain.exitValue()).as(out).isZero();
            Matcher ended = Pattern.compile("job cancel-me was cancelled in Temporal \\(the UI or the temporal CLI\\)"
                    + " at step (\\d+); final checkpoint (\\S+)").matcher(out);
            assertThat(ended.find()).as(out).isTrue();
            long step = Long.parseLong(ended.group(1));
            assertThat(step).as(out).isGreaterThanOrEqualTo(stepAtCancel).isLessThan(5000);
            assertThat(Path.of(ended.group(2))).isEqualTo(checkpoints.resolve("cancel-me/shard-0")
                    .resolve(String.format("step-%010d", step)));
            assertThat(new CheckpointStore(checkpoints.resolve("cancel-me/shard-0")).latestVerified().orElseThrow().step())
                    .isEqualTo(step);
            JobRecord record = new JobRegistry(checkpoints).find("cancel-me").orElseThrow();
            assertThat(record.status()).isEqualTo(JobRecord.RegistryStatus.CANCELLED);
            assertThat(record.latestCheckpoint().step()).isEqualTo(step);
        } finally {
            pretrain.destroyForcibly();
            if (stubs != null) {
                stubs.shutdownNow();
            }
        }
    }

    /** Waits for the round's heartbeat to pass {@code step}; returns the step it shows. */
    private static long awaitTrainingPast(JobService jobs, long step, Path log) throws Exception {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            List<JobService.PendingRound> rounds = jobs.describe("cancel-me").isPresent() ? jobs.pendingRounds("cancel-me")
                    : List.of();
            RoundHeartbeat hb = rounds.isEmpty() ? null : rounds.getFirst().heartbeat();
            if (hb != null && hb.step() > step) {
                return hb.step();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the job did not train past step " + step + " within " + LIMIT + ":\n"
                + Files.readString(log));
    }
}
