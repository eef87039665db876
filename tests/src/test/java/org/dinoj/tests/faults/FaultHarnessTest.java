package org.dinoj.tests.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault harness on real jobs (embedded Temporal, supervised worker JVMs, the toy session):
 * every job completes, and no crash costs more steps than the checkpoint interval. The default
 * variant kills once during a checkpoint write (one node) and once during a merge (two nodes;
 * kills during steps are in ExactResumeTest and PretrainJobsTest); the slow one runs the 21 kills
 * docs/faults.md reports.
 */
class FaultHarnessTest {
    private static final Logger log = LoggerFactory.getLogger(FaultHarnessTest.class);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void killsDuringACheckpointWriteAndDuringAMergeCostAtMostOneCheckpointInterval() throws Exception {
        FaultHarness single = run(1, 1, List.of(FaultHarness.Phase.CHECKPOINT_WRITE));
        FaultHarness two = run(2, 1, List.of(FaultHarness.Phase.MERGE));
        FaultHarness.Crash write = single.crashes().getFirst();
        // The kill lands once the temporary directory exists; it counts as a hit only if the rename
        // had not happened yet, and then the retry must start from the checkpoint before it.
        if (write.phase().equals("checkpoint write")) {
            assertThat(write.resumedFrom()).isEqualTo(write.stepAtKill() - write.checkpointEvery());
        }
        // A merge killed before it renamed its checkpoint in runs again from the shards' round-end
        // checkpoints: no training step is lost.
        assertThat(two.crashes().getFirst().stepsRedone()).isZero();
    }

    @Test
    @Tag("slow")
    void twentyOneKillsOverSingleAndTwoNodeJobs() throws Exception {
        run(1, 12, List.of());
        run(2, 9, List.of());
    }

    private FaultHarness run(int shards, int kills, List<FaultHarness.Phase> phases) throws Exception {
        FaultHarness h = new FaultHarness(new FaultHarness.Options(FaultHarness.SessionKind.TOY, shards, kills, 4,
                42 + shards, dir.resolve(shards + "-node"), false, phases));
        h.run();
        FaultReport report = new FaultReport("FaultHarnessTest", h.crashes(), h.jobs());
        log.info("fault report, {} shard(s):\n{}", shards, report.markdown());
        report.write(dir.resolve(shards + "-node-report"));
        assertThat(h.crashes()).hasSize(kills);
        assertThat(h.jobs()).allSatisfy(j -> {
            assertThat(j.status()).isEqualTo("COMPLETED");
            assertThat(j.finalStep()).isEqualTo(j.totalSteps());
        });
        for (FaultHarness.Crash c : h.crashes()) {
            assertThat(c.stepsRedone()).as(c.toString()).isBetween(0L, c.checkpointEvery());
            assertThat(c.killToTrainingSeconds()).as(c.toString()).isPositive();
        }
        return h;
    }
}
