package org.dinoj.tests.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.dinoj.model.checkpoint.CheckpointStore;
import org.dinoj.model.train.DinoV2Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact resume through crashes: a DINOv2 job (tiny-test preset, real worker JVMs, the production
 * session) killed with SIGKILL during steps and during a checkpoint write, and resumed by Temporal
 * each time, ends with the same bytes in its final checkpoint as the same job run without
 * interruption. Deterministic mode: compute.threads=1 (oneDNN's OpenMP reductions then run in one
 * fixed order) and data.workers=0 (the loader derives each sample's augmentation from
 * (seed, epoch, step, shard), so workers would not change the batches either, but one thread
 * removes the question). Everything else that shapes the future is in the checkpoint: weights,
 * AdamW moments and step count, centers, learning-rate factor, data position; schedules and
 * stochastic depth are functions of (seed, shard, step).
 */
class ExactResumeTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void aDinoV2JobKilledAndResumedEndsBitwiseEqualToTheUninterruptedJob() throws Exception {
        int kills = 2;
        List<FaultHarness.Phase> phases = List.of(FaultHarness.Phase.STEP, FaultHarness.Phase.CHECKPOINT_WRITE);
        FaultHarness h = new FaultHarness(new FaultHarness.Options(FaultHarness.SessionKind.DINOV2, 1, kills, kills, 7,
                dir.resolve("killed-run"), true, phases));
        FaultHarness reference = new FaultHarness(new FaultHarness.Options(FaultHarness.SessionKind.DINOV2, 1, 0, 0, 7,
                dir.resolve("straight-run"), true, phases));
        long total = h.totalSteps(kills);
        // Both jobs at once, each with its own server and worker JVM of one oneDNN thread: the thread
        // count, not the machine's load, fixes the arithmetic, and the test takes half the time.
        CompletableFuture<Path> straight = CompletableFuture.supplyAsync(() -> {
            try {
                return reference.runJob("straight", 0, total);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        Path killed = h.runJob("killed", kills, total);

        assertThat(h.crashes()).hasSize(kills);
        assertThat(h.crashes()).allSatisfy(c -> assertThat(c.stepsRedone()).isBetween(0L, c.checkpointEvery()));
        Path a = new CheckpointStore(straight.get(10, TimeUnit.MINUTES).resolve("shard-0")).verify(total).directory();
        Path b = new CheckpointStore(killed.resolve("shard-0")).verify(total).directory();
        for (String file : List.of(DinoV2Session.MODEL_FILE, DinoV2Session.OPTIMIZER_FILE, DinoV2Session.TRAINER_FILE,
                DinoV2Session.CONFIG_FILE)) {
            assertThat(Files.readAllBytes(b.resolve(file))).as(file).isEqualTo(Files.readAllBytes(a.resolve(file)));
        }
        // The resumed job really did resume: its retries started from checkpoints, not from scratch.
        assertThat(h.crashes()).anySatisfy(c -> assertThat(c.resumedFrom()).isPositive());
    }
}
