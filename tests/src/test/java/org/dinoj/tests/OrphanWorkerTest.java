package org.dinoj.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dinoj pretrain} killed with SIGKILL cannot stop its worker processes; each one notices its
 * supervisor is gone and stops by itself, instead of training on as an orphan.
 */
class OrphanWorkerTest {
    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void aWorkerStopsWhenItsPretrainProcessIsKilled() throws Exception {
        Path log = dir.resolve("pretrain.log");
        Path workerLog = dir.resolve("ckpt/logs/worker-0.log");
        Process pretrain = ProductionClassPath.startDinoj(dir, log, "pretrain", "--config", "tiny-test", "--set",
                "optim.epochs=100000", "--checkpoint-dir", dir.resolve("ckpt").toString(), "--port", "0");
        ProcessHandle worker = null;
        try {
            // Training under way: the first round ended with a checkpoint and the second has started.
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline && !(Files.exists(workerLog)
                    && Files.readString(workerLog).contains(" round 1 "))) {
                Thread.sleep(200);
            }
            List<ProcessHandle> workers = pretrain.toHandle().children().toList();
            assertThat(workers).as(Files.readString(log)).hasSize(1);
            worker = workers.getFirst();
            assertThat(Files.readString(workerLog)).contains(" round 1 ");

            pretrain.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

            boolean stopped = worker.onExit().completeOnTimeout(null, 20, TimeUnit.SECONDS).join() != null;
            assertThat(stopped).as("worker %d still alive 20 s after its supervisor was killed", worker.pid()).isTrue();
            assertThat(Files.readString(workerLog)).contains("the supervising process " + pretrain.pid() + " is gone");
        } finally {
            pretrain.destroyForcibly();
            if (worker != null) {
                worker.destroyForcibly();
            }
        }
    }

    @Test
    void aWorkerWhoseSupervisorDiedWhileItStartedStopsAtOnce() throws Exception {
        // pretrain killed in the seconds its worker's JVM starts: the worker, now a child of init, must not
        // take init for its supervisor and train on.
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor(10, TimeUnit.SECONDS);
        Path log = dir.resolve("worker.log");
        Process worker = ProductionClassPath.startDinoj(dir, log, "worker", "--temporal", "127.0.0.1:1",
                "--exit-with-parent", Long.toString(gone.pid()));
        boolean ended = worker.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            worker.destroyForcibly();
        }
        assertThat(ended).as(Files.readString(log)).isTrue();
        assertThat(worker.exitValue()).as(Files.readString(log)).isEqualTo(org.dinoj.worker.supervise.ParentWatch.PARENT_GONE);
        assertThat(Files.readString(log)).contains("the supervising process " + gone.pid() + " is gone");
    }
}
