package org.dinoj.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.dinoj.worker.jobs.JobRecord;
import org.dinoj.worker.jobs.JobRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dinoj pretrain} while its job registry cannot be written (a full disk, a folder gone
 * read-only): the job is Temporal's to keep, so the command says so once and trains on, and the
 * record catches up once it can be written. Before, the first failed write ended the command, its
 * embedded server and the job.
 */
class RegistryUnwritablePretrainTest {
    private static final Duration LIMIT = Duration.ofSeconds(120);

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void aRegistryThatCannotBeWrittenMidRunIsSaidAndTheJobTrainsOnToTheEnd() throws Exception {
        Path log = dir.resolve("pretrain.log");
        Path checkpoints = dir.resolve("ckpt");
        Process pretrain = ProductionClassPath.startDinoj(dir, log,
                "pretrain", "--config", "tiny-test", "--set", "data.dataset=synthetic:256:16x16x1",
                "--set", "optim.epochs=1", "--set", "train.OFFICIAL_EPOCH_LENGTH=4000", "--set", "job.steps_per_round=1000",
                "--set", "job.checkpoint_every_steps=1000", "--set", "job.eval_every_epochs=-1", "--job-id", "reg",
                "--checkpoint-dir", checkpoints.toString(), "--port", "0");
        Path registry = checkpoints.resolve("registry");
        try {
            // Once the record has the first round's checkpoint: three rounds (a few seconds each) are left.
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (new JobRegistry(checkpoints).find("reg").map(JobRecord::latestCheckpoint).isEmpty()) {
                assertThat(System.nanoTime()).as(Files.readString(log)).isLessThan(deadline);
                Thread.sleep(100);
            }
            // The registry folder immutable: the record reads, and every write of it fails, as on a full disk.
            org.junit.jupiter.api.Assumptions.assumeTrue(chattr("+i", registry),
                    "chattr +i is not available here (it needs root and a file system that has the flag)");
            try {
                ProductionClassPath.awaitOutput(log, Pattern.compile(Pattern.quote("could not update the job registry (")), LIMIT);
            } finally {
                chattr("-i", registry);
            }
            assertThat(pretrain.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
            String out = Files.readString(log);
            assertThat(pretrain.exitValue()).as(out).isZero();
            assertThat(out).contains("the job trains on, and its record is brought up to date once it can be written")
                    .contains("job reg completed at step 4000");
            JobRecord record = new JobRegistry(checkpoints).find("reg").orElseThrow();
            assertThat(record.status()).isEqualTo(JobRecord.RegistryStatus.COMPLETED);
            assertThat(record.latestCheckpoint().step()).isEqualTo(4000);
        } finally {
            pretrain.destroyForcibly();
        }
    }

    private static boolean chattr(String flag, Path dir) throws Exception {
        try {
            Process p = new ProcessBuilder("chattr", flag, dir.toString()).redirectErrorStream(true).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException noChattr) {
            return false;
        }
    }
}
