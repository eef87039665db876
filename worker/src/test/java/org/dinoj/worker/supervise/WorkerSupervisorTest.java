package org.dinoj.worker.supervise;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the supervisor tells of a worker that exits: a crash, or the owner's own signal. */
class WorkerSupervisorTest {
    @TempDir
    Path dir;

    @Test
    void aWorkerStoppedOnSigtermWithItsOwnerIsSaidSoAndOtherwiseAsAnExit() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicBoolean ownerStopping = new AtomicBoolean(false);
        try (WorkerSupervisor s = new WorkerSupervisor(List.of(ExitsAsAfterSigterm.class.getName()), 1, dir, events::add)) {
            s.ownerStoppingWhen(ownerStopping::get);
            s.start();
            await(() -> !events.isEmpty());
            assertThat(events.getFirst()).startsWith("worker 0 (pid ").contains(") exited with status 143 (signal 15);"
                    + " restarting it (see " + s.logFile(0) + ")");
            ownerStopping.set(true);
            int before = events.size();
            await(() -> events.size() > before);
            // A worker that keeps dying quickly is started again after a back-off, which the line says.
            assertThat(events.getLast()).matches("worker 0 \\(pid \\d+\\) stopped on SIGTERM with this command \\(the"
                    + " signal reached its whole process group\\); starting it again in \\d+ s so that the pause can finish");
        }
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 60 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Ends as a JVM ends after SIGTERM: status 128 + 15. */
    public static final class ExitsAsAfterSigterm {
        public static void main(String[] args) {
            System.exit(143);
        }
    }
}
