package org.dinoj.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dinoj pretrain --max-minutes} on a job whose round fails from its start (its image folder is
 * gone, which Temporal retries as a mount that may come back): the retried attempt reads the pause
 * before its data, so the command ends paused at once, and says that there is no checkpoint yet.
 */
class PauseOnFailingRoundTest {
    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void aPauseOfARoundFailingFromItsStartLandsAtOnceWithoutACheckpoint() throws Exception {
        Path gone = dir.resolve("images-gone");
        Path log = dir.resolve("pretrain.log");
        long started = System.nanoTime();
        Process p = ProductionClassPath.startDinoj(dir, log, "pretrain", "--config", "tiny-test",
                "--set", "data.dataset=folder:" + gone, "--set", "job.eval_every_epochs=-1",
                "--max-minutes", "0.05", "--job-id", "stuck",
                "--checkpoint-dir", dir.resolve("ckpt").toString(), "--port", "0");
        boolean ended = p.waitFor(150, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        String out = Files.readString(log);
        assertThat(ended).as("ended within 150 s:%n%s", out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("--max-minutes reached: pausing job stuck with a checkpoint")
                // Named as the Temporal UI names the round (tiny-test: 4 epochs of 10 steps, rounds end at epochs).
                .contains("train round 0, shard 0 (of 1): to step 10 of 40; attempt 1 failed and Temporal retries it"
                        + " (attempt 2): image folder " + gone + " for 'folder:"
                        + gone + "' does not exist or is not a directory: check the path")
                .contains("job stuck paused at step 0 before its first checkpoint; run the same command with --job-id"
                        + " stuck to continue");
        // Not after the wait (30 s and four heartbeat timeouts) on attempts that fail without reading the pause.
        assertThat(seconds).as(out).isLessThan(60);
    }
}
