package org.dinoj.worker.supervise;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps N worker processes alive: each is started with the same java binary, class path and
 * native-access flags as this JVM; one that exits (crash, kill -9, OOM) is logged with its exit
 * status and started again, after a short back-off when it keeps dying right after its start.
 * Each worker writes its log to {@code <logDirectory>/worker-<i>.log}, rotated past
 * {@link #LOG_MAX_BYTES} ({@code worker-<i>.log.1} ... {@code .3}): a job of weeks, or a worker
 * failing the same way every second, does not fill the disk with its log.
 */
public final class WorkerSupervisor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkerSupervisor.class);
    private static final Duration QUICK_DEATH = Duration.ofSeconds(10);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    public static final long LOG_MAX_BYTES = 64L << 20;
    /** A JVM's exit status after SIGTERM (128 + 15). */
    private static final int SIGTERM_STATUS = 143;
    public static final int LOG_COPIES = 3;
    private static final Duration LOG_CHECK_EVERY = Duration.ofSeconds(30);

    private final List<String> command;
    private final Path logDirectory;
    private final Consumer<String> events;
    private final Slot[] slots;
    private final LogRotation rotation;
    private final Duration logCheckEvery;
    private volatile boolean closing;
    /** Whether the command that owns these workers is stopping on a signal (then theirs came with it). */
    private volatile java.util.function.BooleanSupplier ownerStopping = () -> false;

    /**
     * @param mainClassAndArgs the worker's main class and its arguments
     * @param events receives one line per notable event (restart), e.g. for the CLI
     */
    public WorkerSupervisor(List<String> mainClassAndArgs, int count, Path logDirectory, Consumer<String> events) {
        this(mainClassAndArgs, count, logDirectory, events, new LogRotation(LOG_MAX_BYTES, LOG_COPIES), LOG_CHECK_EVERY);
    }

    /** As above, with the workers' logs rotated by {@code rotation}, checked every {@code logCheckEvery}. */
    public WorkerSupervisor(List<String> mainClassAndArgs, int count, Path logDirectory, Consumer<String> events,
                            LogRotation rotation, Duration logCheckEvery) {
        if (count < 1) {
            throw new IllegalArgumentException("--workers must be at least 1, got " + count);
        }
        this.command = javaCommand(mainClassAndArgs);
        this.logDirectory = logDirectory;
        this.events = events;
        this.rotation = rotation;
        this.logCheckEvery = logCheckEvery;
        this.slots = new Slot[count];
        for (int i = 0; i < count; i++) {
            slots[i] = new Slot(i);
        }
    }

    /** {@code java [--enable-native-access ...] -cp <this JVM's class path> mainClass args...}. */
    public static List<String> javaCommand(List<String> mainClassAndArgs) {
        String javaBinary = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary);
        List<String> jvmArgs = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (String a : jvmArgs) {
            if (a.startsWith("--enable-native-access") || a.startsWith("--sun-misc-unsafe-memory-access")
                    || a.startsWith("-Xss") || a.startsWith("-Xmx")) {
                cmd.add(a);
            }
        }
        if (jvmArgs.stream().noneMatch(a -> a.startsWith("--enable-native-access"))) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        // Log levels set for this JVM (DINOJ_JAVA_OPTS=-Dorg.slf4j.simpleLogger..., or a test harness
        // that needs a worker's per-step lines) apply to its workers too.
        for (String name : System.getProperties().stringPropertyNames().stream().sorted().toList()) {
            if (name.startsWith("org.slf4j.simpleLogger.")) {
                cmd.add("-D" + name + "=" + System.getProperty(name));
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.addAll(mainClassAndArgs);
        return List.copyOf(cmd);
    }

    public synchronized void start() throws IOException {
        Files.createDirectories(logDirectory);
        for (Slot s : slots) {
            s.launch();
        }
        Thread.ofVirtual().name("worker-log-rotation").start(this::rotateLogs);
    }

    private void rotateLogs() {
        while (!closing) {
            try {
                Thread.sleep(logCheckEvery);
            } catch (InterruptedException e) {
                return;
            }
            for (int i = 0; i < slots.length && !closing; i++) {
                try {
                    rotation.rotateIfFull(logFile(i));
                } catch (IOException e) {
                    log.warn("could not rotate {}: {}", logFile(i), e.toString());
                }
            }
        }
    }

    public int count() {
        return slots.length;
    }

    /** The live process of worker {@code i} (for tests and status lines). */
    public Optional<ProcessHandle> process(int i) {
        Process p = slots[i].process;
        return p != null && p.isAlive() ? Optional.of(p.toHandle()) : Optional.empty();
    }

    public int restarts(int i) {
        return slots[i].restarts;
    }

    /**
     * Tells the supervisor when its owner is stopping on a signal: a worker that exits on SIGTERM
     * then got the same signal (sent to the whole process group, as a service manager or a batch
     * scheduler does), and its restart, which finishes the owner's pause, is said as such.
     */
    public void ownerStoppingWhen(java.util.function.BooleanSupplier stopping) {
        ownerStopping = stopping;
    }

    public Path logFile(int i) {
        return logDirectory.resolve("worker-" + i + ".log");
    }

    /** Asks every worker to stop (SIGTERM: each checkpoints its round), then forces what is left. */
    @Override
    public void close() {
        closing = true;
        List<Process> running = new ArrayList<>();
        for (Slot s : slots) {
            Process p = s.process;
            if (p != null && p.isAlive()) {
                p.destroy();
                running.add(p);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (Process p : running) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    log.warn("worker process {} did not stop in time; killing it", p.pid());
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    private final class Slot {
        private final int index;
        private volatile Process process;
        private volatile long startedNanos;
        private volatile int restarts;
        private int quickDeaths;

        Slot(int index) {
            this.index = index;
        }

        void launch() throws IOException {
            try {
                rotation.rotateIfFull(logFile(index));
            } catch (IOException e) {
                // A full disk is when rotation matters most, and no reason to leave the slot without a worker.
                log.warn("could not rotate {}: {}", logFile(index), e.toString());
            }
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.redirectErrorStream(true);
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(index).toFile()));
            startedNanos = System.nanoTime();
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                // The JDK says "Cannot run program java: <log> (...)", which reads as if java were missing.
                String cause = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
                throw new IOException("worker " + index + " could not be started: " + (Files.isWritable(logFile(index))
                        || !Files.exists(logFile(index)) && Files.isWritable(logDirectory) ? cause
                        : "its log " + logFile(index) + " cannot be written (" + cause + ")"), e);
            }
            process = p;
            log.info("started worker {} (pid {}), log {}", index, p.pid(), logFile(index));
            p.onExit().thenAccept(this::exited);
        }

        private void exited(Process p) {
            if (closing) {
                return;
            }
            long livedMillis = (System.nanoTime() - startedNanos) / 1_000_000;
            quickDeaths = livedMillis < QUICK_DEATH.toMillis() ? quickDeaths + 1 : 0;
            long backoff = quickDeaths <= 1 ? 0 : Math.min(MAX_BACKOFF.toMillis(), 1000L << Math.min(quickDeaths - 2, 5));
            String line = p.exitValue() == SIGTERM_STATUS && ownerStopping.getAsBoolean()
                    ? "worker " + index + " (pid " + p.pid() + ") stopped on SIGTERM with this command (the signal"
                            + " reached its whole process group); starting it again" + (backoff > 0 ? " in " + backoff / 1000
                            + " s" : "") + " so that the pause can finish"
                    : "worker " + index + " (pid " + p.pid() + ") exited with status " + p.exitValue()
                            + describe(p.exitValue()) + "; restarting it" + (backoff > 0 ? " in " + backoff / 1000 + " s" : "")
                            + " (see " + logFile(index) + ")";
            log.warn(line);
            events.accept(line);
            restartAfter(backoff);
        }

        /** Starts the worker again after {@code delayMillis}; a start that fails (its log unwritable) is tried again. */
        private void restartAfter(long delayMillis) {
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(delayMillis);
                    synchronized (WorkerSupervisor.this) {
                        if (!closing) {
                            restarts++;
                            launch();
                        }
                    }
                } catch (IOException e) {
                    String line = "could not restart worker " + index + " (" + e.getMessage() + "); trying again in "
                            + MAX_BACKOFF.toSeconds() + " s";
                    log.error(line);
                    events.accept(line);
                    restartAfter(MAX_BACKOFF.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    private static String describe(int status) {
        return status > 128 ? " (signal " + (status - 128) + (status == 137 ? ", SIGKILL" : "") + ")" : "";
    }
}
