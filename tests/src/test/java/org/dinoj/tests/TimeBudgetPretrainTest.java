package org.dinoj.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dinoj pretrain --time-budget} as a user runs it, in its own JVM on the production class
 * path (the DINOv2 trainer, not the worker's toy session): its worker times the machine and
 * chooses the schedule before training, and the whole command (embedded Temporal server, worker process, k-NN evaluations)
 * ends within the budget, having used most of it: on a machine that slows after the measurement,
 * because the workflow shortens the job.
 */
@RunsAlone
class TimeBudgetPretrainTest {
    private static final double BUDGET_MINUTES = 1.5;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    private Process dinoj(Path log, String... args) throws Exception {
        return ProductionClassPath.startDinoj(dir, log, args);
    }

    @Test
    void theCommandEndsWithinItsBudgetWithTheScheduleItChose() throws Exception {
        Path log = dir.resolve("pretrain.log");
        long start = System.nanoTime();
        Process p = dinoj(log, "pretrain", "--config", "tiny-test", "--set", "data.dataset=synthetic:256:16x16x1",
                "--time-budget", String.valueOf(BUDGET_MINUTES), "--checkpoint-dir", dir.resolve("ckpt").toString(),
                "--port", "0");
        boolean ended = p.waitFor((long) (BUDGET_MINUTES * 60 + 120), TimeUnit.SECONDS);
        double minutes = (System.nanoTime() - start) * 1e-9 / 60;
        String out = Files.readString(log);
        if (!ended) {
            p.destroyForcibly();
        }
        assertThat(ended).as(out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();

        Matcher schedule = Pattern.compile("schedule: (\\d+) epochs \\((\\d+) steps").matcher(out);
        assertThat(schedule.find()).as(out).isTrue();
        int epochs = Integer.parseInt(schedule.group(1));
        long steps = Long.parseLong(schedule.group(2));
        assertThat(steps).isEqualTo(epochs * 10L); // tiny-test: epochs of 10 steps
        // A machine that slows after the measurement shortens the job to keep to its budget, and says so.
        long trained = steps;
        Matcher shortened = Pattern.compile("schedule: at step \\d+ its rounds took [0-9.]+ s a step( and a k-NN"
                + " evaluation [0-9.]+ s)?, slower than measured, so it was shortened to (\\d+) epochs \\((\\d+) steps\\)")
                .matcher(out);
        while (shortened.find()) {
            assertThat(Long.parseLong(shortened.group(3))).isLessThan(trained).isEqualTo(Long.parseLong(shortened.group(2)) * 10);
            trained = Long.parseLong(shortened.group(3));
        }
        assertThat(out).contains("completed at step " + trained + ";");
        assertThat(minutes).as("wall minutes of the whole command\n" + out).isLessThanOrEqualTo(BUDGET_MINUTES);
        // Used, not merely respected: the schedule fills most of the budget.
        assertThat(minutes).as("wall minutes of the whole command\n" + out).isGreaterThan(0.6 * BUDGET_MINUTES);
        assertThat(dir.resolve("ckpt")).isDirectoryNotContaining(path -> path.getFileName().toString().startsWith(".time-budget"));
        // The worker's log carries the training metrics with each checkpoint, the last one included;
        // the DINOv2 terms show that the production trainer ran, not the worker's toy session.
        String workerLog = Files.readString(dir.resolve("ckpt/logs/worker-0.log"));
        // The worker that trains is the one that timed its machine.
        assertThat(workerLog).contains("time budget: " + epochs + " epochs (" + steps + " steps");
        Matcher last = Pattern.compile("shard 0: step " + trained + ", loss -?[0-9.]+ \\(([^)]*)\\), lr [0-9.e+-]+, "
                + "teacher momentum [0-9.]+, [0-9.]+ img/s, checkpoint ").matcher(workerLog);
        assertThat(last.find()).as(workerLog).isTrue();
        assertThat(last.group(1)).containsPattern("dino_global_crops_loss -?[0-9.]+").containsPattern("dino_local_crops_loss -?[0-9.]+")
                .containsPattern("ibot_loss -?[0-9.]+").containsPattern("koleo_loss -?[0-9.]+");
    }

    @Test
    void aBudgetWithAnExplicitScheduleIsRefusedBeforeAnythingStarts() throws Exception {
        Path log = dir.resolve("refused.log");
        Process p = dinoj(log, "pretrain", "--config", "tiny-test", "--set", "optim.epochs=3", "--time-budget", "5",
                "--checkpoint-dir", dir.resolve("ckpt").toString(), "--port", "0");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(log);
        assertThat(p.exitValue()).as(out).isNotZero();
        assertThat(out).contains("--time-budget chooses optim.epochs itself");
        assertThat(out).doesNotContain("Temporal:");
    }
}
