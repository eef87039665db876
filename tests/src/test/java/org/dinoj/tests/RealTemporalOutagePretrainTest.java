package org.dinoj.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.dinoj.worker.temporal.RealTemporalServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dinoj pretrain --temporal} (the README's single-machine set-up with a real server) while the
 * server crashes and comes back on its database: the command waits through the outage, saying so,
 * keeps its worker, and ends when the job completes. It used to exit at once with
 * "UNAVAILABLE: io exception" and stop its worker, so training stood still until someone ran it again.
 */
@Tag(RealTemporalServer.TAG)
class RealTemporalOutagePretrainTest {
    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void pretrainWaitsThroughARestartOfTheServerAndSeesTheJobComplete() throws Exception {
        try (RealTemporalServer server = RealTemporalServer.start(dir.resolve("temporal"))) {
            Path log = dir.resolve("pretrain.log");
            Path shard = dir.resolve("ckpt/outage/shard-0");
            Process p = ProductionClassPath.startDinoj(dir, log, "pretrain", "--temporal", server.target(),
                    "--config", "tiny-test", "--set", "optim.epochs=2", "--set", "train.OFFICIAL_EPOCH_LENGTH=800",
                    "--set", "job.checkpoint_every_steps=100", "--set", "job.eval_every_epochs=-1",
                    "--job-id", "outage", "--checkpoint-dir", dir.resolve("ckpt").toString());
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (!hasCheckpoint(shard)) {
                    assertThat(p.isAlive()).as(Files.readString(log)).isTrue();
                    assertThat(System.nanoTime()).as("a first checkpoint within 120 s:%n%s", Files.readString(log))
                            .isLessThan(deadline);
                    Thread.sleep(200);
                }
                server.kill();
                Thread.sleep(3000);
                assertThat(p.isAlive()).as("pretrain lives through the outage:%n%s", Files.readString(log)).isTrue();
                server.restart();

                boolean ended = p.waitFor(240, TimeUnit.SECONDS);
                String out = Files.readString(log);
                assertThat(ended).as("ended within 240 s:%n%s", out).isTrue();
                assertThat(p.exitValue()).as(out).isZero();
                assertThat(out).contains("Temporal at " + server.target() + " does not answer (UNAVAILABLE): waiting for it;")
                        .containsPattern("Temporal at " + java.util.regex.Pattern.quote(server.target()) + " answers again after \\d+ s")
                        .contains("job outage completed at step 1600");
            } finally {
                p.destroyForcibly();
            }
        }
    }

    private static boolean hasCheckpoint(Path shard) throws Exception {
        if (!Files.isDirectory(shard)) {
            return false;
        }
        try (Stream<Path> dirs = Files.list(shard)) {
            return dirs.anyMatch(d -> d.getFileName().toString().startsWith("step-"));
        }
    }
}
