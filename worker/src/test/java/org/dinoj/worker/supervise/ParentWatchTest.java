package org.dinoj.worker.supervise;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ParentWatchTest {
    @Test
    void aProcessThatStartedAfterTheWorkerCannotBeItsSupervisor() {
        Instant t = Instant.parse("2026-11-29T12:00:00Z");
        assertThat(ParentWatch.startedBefore(Optional.of(t), Optional.of(t.plusSeconds(1)))).isTrue();
        assertThat(ParentWatch.startedBefore(Optional.of(t), Optional.of(t))).as("within the clock's tick").isTrue();
        assertThat(ParentWatch.startedBefore(Optional.of(t.plusSeconds(1)), Optional.of(t))).isFalse();
        assertThat(ParentWatch.startedBefore(Optional.empty(), Optional.of(t))).as("unknown: trusted").isTrue();
        assertThat(ParentWatch.startedBefore(Optional.of(t), Optional.empty())).isTrue();
    }

    @Test
    void aWorkerGivenThePidOfALaterProcessStopsAtOnce() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process worker = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Watcher.class.getName())
                .redirectErrorStream(true).start();
        Process later = null;
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("ready");
            Thread.sleep(50); // a later start than the worker's, beyond /proc's 10 ms tick
            // Alive, and started after the worker: what a supervisor's pid reused by another process looks like.
            later = new ProcessBuilder("sleep", "60").start();
            OutputStream in = worker.getOutputStream();
            in.write((later.pid() + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            assertThat(worker.waitFor(20, TimeUnit.SECONDS)).as("the worker stopped").isTrue();
            assertThat(worker.exitValue()).isEqualTo(ParentWatch.PARENT_GONE);
        } finally {
            worker.destroyForcibly();
            if (later != null) {
                later.destroyForcibly();
            }
        }
    }

    /** Reads a pid and watches it as a worker watches its supervisor; stays up until halted. */
    public static final class Watcher {
        public static void main(String[] args) throws Exception {
            System.out.println("ready");
            System.out.flush();
            long pid = Long.parseLong(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine());
            ParentWatch.haltWhenGone(pid);
            Thread.sleep(60_000);
        }
    }
}
