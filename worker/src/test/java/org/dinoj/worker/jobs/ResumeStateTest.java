package org.dinoj.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dinoj.model.checkpoint.Checkpoint;
import org.dinoj.model.checkpoint.CheckpointStore;
import org.dinoj.workflows.CheckpointRef;
import org.dinoj.workflows.JobSpec;
import org.dinoj.workflows.JobState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a job restarted from the registry, or retried, goes on: {@link JobService#resumeState}. */
class ResumeStateTest {
    @TempDir
    Path dir;

    /** 2 epochs of 100 steps, rounds of 40: after global step 40 the round ends at 80. */
    private JobSpec spec(int shards) {
        return JobSpecs.create("job", "optim: {epochs: 2}\ntrain: {OFFICIAL_EPOCH_LENGTH: 100}\n"
                + "job: {shards: " + shards + ", steps_per_round: 40, checkpoint_every_steps: 5}\n", dir, null);
    }

    private void checkpoint(String store, long step) throws IOException {
        new CheckpointStore(dir.resolve(store)).save(step, d -> Files.writeString(d.resolve("model.safetensors"),
                store + step));
    }

    @Test
    void severalShardsGoOnFromTheirOwnCheckpointsOfTheUnfinishedRound() throws IOException {
        checkpoint("global", 0);
        checkpoint("global", 40);
        checkpoint("shard-0", 45);
        checkpoint("shard-0", 50);
        checkpoint("shard-1", 45);
        checkpoint("shard-1", 85); // past the round's end: not of this round
        checkpoint("shard-1", 55);
        Files.writeString(dir.resolve("shard-1/step-0000000055/model.safetensors"), "corrupt");

        JobState state = JobService.resumeState(spec(2), true);

        assertThat(state.step()).isEqualTo(40);
        assertThat(state.checkpoint().uri()).endsWith("/global/step-0000000040/");
        assertThat(state.roundEnd()).isEqualTo(80);
        assertThat(state.shardResume()).extracting(CheckpointRef::step).containsExactly(50L, 45L);
        assertThat(state.shardResume().get(1).uri()).endsWith("/shard-1/step-0000000045/");
        assertThat(state.paused()).isTrue();
        assertThat(state.lastEvalEpoch()).isZero();
        // What the log and the registry say: the merge's start, and each shard's own.
        assertThat(JobService.where(state)).isEqualTo("step 40 (" + state.checkpoint().uri() + "), shard 0 from its"
                + " step 50, shard 1 from its step 45 of the round to step 80");

        // Killed between the round's end and its merge: a shard at the end step goes on from there (it trains nothing).
        checkpoint("shard-0", 80);
        assertThat(JobService.resumeState(spec(2), false).shardResume()).extracting(CheckpointRef::step)
                .containsExactly(80L, 45L);
        // A newer merge that does not verify may have been the shards' base: they start from the verified one again.
        checkpoint("global", 80);
        Files.writeString(dir.resolve("global/step-0000000080/model.safetensors"), "corrupt");
        JobState behindACorruptMerge = JobService.resumeState(spec(2), false);
        assertThat(behindACorruptMerge.step()).isEqualTo(40);
        assertThat(behindACorruptMerge.shardResume()).isEmpty();
    }

    @Test
    void anEvaluationThePreviousRunDidNotRecordIsMadeUpNotCountedAsDone() throws IOException {
        checkpoint("shard-0", 100);
        checkpoint("shard-0", 150);
        // The job's last recorded k-NN is of epoch 1 (step 100); the run died before the one of step 150's.
        org.dinoj.worker.report.JobHistory history = new org.dinoj.worker.report.JobHistory(dir);
        history.appendEval(new org.dinoj.worker.report.JobHistory.EvalRecord(1, 100, 0, 20, 50, 80, 1, "shard-0/step-0000000100"));
        assertThat(JobService.resumeState(spec(1), false).lastEvalEpoch()).isEqualTo(1);
        // Recorded at the checkpoint itself: counted as done, at the checkpoint's epoch.
        history.appendEval(new org.dinoj.worker.report.JobHistory.EvalRecord(1, 150, 0, 20, 55, 85, 1, "shard-0/step-0000000150"));
        assertThat(JobService.resumeState(spec(1), false).lastEvalEpoch()).isEqualTo(1);
        checkpoint("shard-0", 200);
        // No record of step 200's (epoch 2) evaluation: the newest recorded before it counts.
        assertThat(JobService.resumeState(spec(1), false).lastEvalEpoch()).isEqualTo(1);
        history.appendEval(new org.dinoj.worker.report.JobHistory.EvalRecord(2, 200, 0, 20, 60, 90, 1, "shard-0/step-0000000200"));
        assertThat(JobService.resumeState(spec(1), false).lastEvalEpoch()).isEqualTo(2);
    }

    @Test
    void beforeTheFirstMergeTheShardsGoOnFromTheirCheckpointsWhenTheMergeBaseIsThere() throws IOException {
        checkpoint("shard-0", 10);
        checkpoint("shard-1", 15);
        checkpoint("shard-1", 45); // past the first round's end
        // No initial global checkpoint: the first merge would have no base, so the round starts again.
        JobState noBase = JobService.resumeState(spec(2), false);
        assertThat(noBase.step()).isZero();
        assertThat(noBase.checkpoint()).isNull();
        assertThat(noBase.shardResume()).isEmpty();
        assertThat(JobService.where(noBase)).isEqualTo("the start");

        checkpoint("global", 0);
        JobState fresh = JobService.resumeState(spec(2), false);
        assertThat(fresh.step()).isZero();
        assertThat(fresh.checkpoint()).as("the first merge finds its base in global/ itself").isNull();
        assertThat(fresh.roundEnd()).isEqualTo(40);
        assertThat(fresh.shardResume()).extracting(CheckpointRef::step).containsExactly(10L, 15L);
        assertThat(JobService.where(fresh)).isEqualTo("the start, shard 0 from its step 10, shard 1 from its step 15"
                + " of the round to step 40");

        // A retraining's first round merges into its base, another job's checkpoint.
        Path other = dir.resolve("another-job");
        Checkpoint base = new CheckpointStore(other).save(500, d -> Files.writeString(d.resolve("model.safetensors"), "b"));
        JobSpec retraining = JobSpecs.create("job", "optim: {epochs: 2}\ntrain: {OFFICIAL_EPOCH_LENGTH: 100}\n"
                + "job: {shards: 2, steps_per_round: 40, checkpoint_every_steps: 5}\n", dir.resolve("retrain"),
                org.dinoj.worker.activities.CheckpointLayout.ref(base));
        new CheckpointStore(dir.resolve("retrain/shard-1")).save(20, d -> Files.writeString(d.resolve("model.safetensors"), "s"));
        JobState retrained = JobService.resumeState(retraining, false);
        assertThat(retrained.step()).isZero();
        assertThat(retrained.checkpoint()).isEqualTo(retraining.baseCheckpoint());
        assertThat(retrained.shardResume()).hasSize(2).containsNull();
        assertThat(retrained.shardResume().get(1).step()).isEqualTo(20);
    }

    @Test
    void withoutShardCheckpointsOfTheRoundOrWithOneShardTheRoundStartsFromTheCheckpoint() throws IOException {
        checkpoint("global", 0);
        checkpoint("global", 40);
        checkpoint("shard-0", 40);
        JobState multi = JobService.resumeState(spec(2), false);
        assertThat(multi.step()).isEqualTo(40);
        assertThat(multi.roundEnd()).isZero();
        assertThat(multi.shardResume()).isEmpty();
        assertThat(JobService.where(multi)).isEqualTo("step 40 (" + multi.checkpoint().uri() + ")");

        checkpoint("shard-0", 45);
        JobState single = JobService.resumeState(spec(1), false);
        assertThat(single.step()).isEqualTo(45);
        assertThat(single.checkpoint().uri()).endsWith("/shard-0/step-0000000045/");
        assertThat(single.shardResume()).isEmpty();
        assertThat(single.roundEnd()).isZero();
    }
}
