package org.dinoj.tests.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault harness on real jobs (embedded Temporal, supervised worker JVMs, the toy session):
 * every job completes, and no crash costs more steps than the checkpoint interval. The default
 * variant injects a few crashes; the slow one as many as docs/faults.md reports.
 */
class FaultHarnessTest {
    private static final Logger log = LoggerFactory.getLogger(FaultHarnessTest.class);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void aFewKillsDuringStepsCheckpointWritesAndAMergeCostAtMostOneCheckpointInterval() throws Exception {
        FaultHarness single = run(1, 2);
        FaultHarness two = run(2, 2);
        assertThat(single.crashes()).extracting(FaultHarness.Crash::aimedAt)
                .containsExactly("STEP", "CHECKPOINT_WRITE");
        assertThat(two.crashes()).extracting(FaultHarness.Crash::aimedAt).containsExactly("STEP", "MERGE");
        // A merge killed before it renamed its checkpoint in is run again from the shards' round-end
        // checkpoints: no training step is lost.
        assertThat(two.crashes().get(1).stepsRedone()).isZero();
    }

    @Test
    @Tag("slow")
    void twentyOneKillsOverSingleAndTwoNodeJobs() throws Exception {
        run(1, 12);
        run(2, 9);
    }

    private FaultHarness run(int shards, int kills) throws Exception {
        FaultHarness h = new FaultHarness(new FaultHarness.Options(FaultHarness.SessionKind.TOY, shards, kills, 4,
                42 + shards, dir.resolve(shards + "-node"), false));
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
