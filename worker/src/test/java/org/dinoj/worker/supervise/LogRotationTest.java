package org.dinoj.worker.supervise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogRotationTest {
    @TempDir
    Path dir;

    @Test
    void aFullLogMovesToItsFirstCopyAndAnAppendingWriterGoesOnAtTheStart() throws IOException {
        Path log = dir.resolve("worker-0.log");
        LogRotation rotation = new LogRotation(100, 2);
        try (FileOutputStream writer = new FileOutputStream(log.toFile(), true)) {
            writer.write("a".repeat(100).getBytes(StandardCharsets.UTF_8));
            assertThat(rotation.rotateIfFull(log)).as("at the limit, not past it").isFalse();
            writer.write("first\n".getBytes(StandardCharsets.UTF_8));
            assertThat(rotation.rotateIfFull(log)).isTrue();
            writer.write("second\n".getBytes(StandardCharsets.UTF_8));
            writer.write("b".repeat(200).getBytes(StandardCharsets.UTF_8));
            assertThat(rotation.rotateIfFull(log)).isTrue();
            writer.write("third\n".getBytes(StandardCharsets.UTF_8));
            writer.write("c".repeat(200).getBytes(StandardCharsets.UTF_8));
            assertThat(rotation.rotateIfFull(log)).isTrue();
            writer.write("fourth\n".getBytes(StandardCharsets.UTF_8));
        }
        // No hole of zero bytes where the old end was: the writer appends.
        assertThat(Files.readString(log)).isEqualTo("fourth\n");
        assertThat(Files.readString(LogRotation.copy(log, 1))).isEqualTo("third\n" + "c".repeat(200));
        assertThat(Files.readString(LogRotation.copy(log, 2))).isEqualTo("second\n" + "b".repeat(200));
        assertThat(LogRotation.copy(log, 3)).as("two copies kept").doesNotExist();
        assertThat(rotation.rotateIfFull(dir.resolve("none.log"))).isFalse();
    }

    @Test
    void aRotationNeedsRoom() {
        assertThatThrownBy(() -> new LogRotation(0, 1)).hasMessageContaining("positive size");
        assertThatThrownBy(() -> new LogRotation(10, 0)).hasMessageContaining("at least one old copy");
    }

    @Test
    void aSupervisedWorkerThatLogsWithoutEndKeepsItsLogWithinTheLimit() throws Exception {
        Path logs = dir.resolve("logs");
        try (WorkerSupervisor s = new WorkerSupervisor(List.of(ChattyWorker.class.getName()), 1, logs, line -> { },
                new LogRotation(20_000, 2), Duration.ofMillis(100))) {
            s.start();
            Path log = s.logFile(0);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!Files.exists(LogRotation.copy(log, 2)) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(LogRotation.copy(log, 2)).exists();
            String current = Files.readString(log);
            assertThat(current).doesNotContain("\0");
            // 20 KB plus what the worker (~2 MB/s at most) appends until the next check, which a loaded
            // machine may delay by seconds; without rotation the log would hold everything written.
            assertThat(Files.size(log)).isLessThan(20_000_000L);
            assertThat(Files.readString(LogRotation.copy(log, 1))).contains("line ");
        }
    }

    /** Writes numbered lines to stdout until killed. */
    public static final class ChattyWorker {
        public static void main(String[] args) throws InterruptedException {
            for (long i = 0; ; i++) {
                System.out.println("line " + i + " " + "x".repeat(100));
                if (i % 100 == 0) {
                    Thread.sleep(5);
                }
            }
        }
    }
}
