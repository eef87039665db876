package org.dinoj.worker.temporal;

import io.grpc.StatusRuntimeException;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real Temporal dev server ({@code temporal server start-dev} of the Temporal CLI that
 * scripts/build-temporal-server.sh builds from Go modules) as a child process for tests: loopback
 * only, free ports for gRPC and the Web UI, a SQLite file in a directory the test owns, namespace
 * "default". It can be stopped (gracefully or killed) and started again on the same ports and the
 * same database file, so workers and clients reconnect to the same target.
 */
public final class RealTemporalServer implements AutoCloseable {
    /** JUnit tag of the tests that need the binary. */
    public static final String TAG = "realtemporal";
    public static final String NAMESPACE = "default";

    private static final Logger log = LoggerFactory.getLogger(RealTemporalServer.class);
    private static final String CLI_MODULE = "github.com/temporalio/cli";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final Path binary;
    private final Path dbFile;
    private final Path logFile;
    private final int grpcPort;
    private final int uiPort;
    private Process process;

    private RealTemporalServer(Path binary, Path dataDir, int grpcPort, int uiPort) {
        this.binary = binary;
        this.dbFile = dataDir.resolve("temporal.sqlite");
        this.logFile = dataDir.resolve("temporal-server.log");
        this.grpcPort = grpcPort;
        this.uiPort = uiPort;
    }

    /**
     * Where the binary is expected: {@code $DINOJ_TEMPORAL_BIN} or {@code -Ddinoj.temporal.bin}, else
     * the cache path scripts/build-temporal-server.sh writes for the version pinned in
     * tools/temporal/go.mod.
     */
    public static Path expectedBinary() {
        String explicit = System.getenv("DINOJ_TEMPORAL_BIN");
        if (explicit == null || explicit.isBlank()) {
            explicit = System.getProperty("dinoj.temporal.bin");
        }
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        return cacheRoot().resolve("temporal").resolve(pinnedCliVersion()).resolve("temporal");
    }

    /** The built binary, when there is one. */
    public static Optional<Path> binary() {
        Path path = expectedBinary();
        return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
    }

    /** Skips the calling test, with the reason printed, when the binary is not built. */
    public static Path assumeBinary() {
        Optional<Path> found = binary();
        if (found.isEmpty()) {
            String reason = "SKIPPED (" + TAG + "): no Temporal dev server at " + expectedBinary()
                    + "; build it with scripts/build-temporal-server.sh";
            // Surefire does not show assumption messages in its summary; people need to see why.
            System.err.println(reason);
            Assumptions.abort(reason);
        }
        return found.get();
    }

    /** Starts the server with a new database in {@code dataDir}; waits until gRPC and the UI answer. */
    public static RealTemporalServer start(Path dataDir) {
        Path binary = assumeBinary();
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Temporal data directory " + dataDir, e);
        }
        RealTemporalServer server = new RealTemporalServer(binary, dataDir, freePort(), freePort());
        server.startProcess();
        return server;
    }

    /** {@code host:port} of the frontend gRPC service. */
    public String target() {
        return "127.0.0.1:" + grpcPort;
    }

    public int grpcPort() {
        return grpcPort;
    }

    /** The Web UI, e.g. {@code http://127.0.0.1:41234}. */
    public URI uiUri() {
        return URI.create("http://127.0.0.1:" + uiPort);
    }

    public Path dbFile() {
        return dbFile;
    }

    public Path logFile() {
        return logFile;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stubs to this server; the caller shuts them down. */
    public WorkflowServiceStubs newServiceStubs() {
        return WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(target()).build());
    }

    /** Stops the server with SIGTERM (its orderly shutdown), killing it if that takes too long. */
    public void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        awaitExit(Duration.ofSeconds(30));
    }

    /** Kills the server with SIGKILL, as a crash would. */
    public void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    /** Starts the server again on the same ports and database file. */
    public void restart() {
        if (isRunning()) {
            throw new IllegalStateException("the Temporal server is still running; stop() or kill() it first");
        }
        startProcess();
    }

    @Override
    public void close() {
        stop();
    }

    private void startProcess() {
        List<String> command = List.of(binary.toString(), "server", "start-dev",
                "--ip", "127.0.0.1",
                "--port", Integer.toString(grpcPort),
                "--ui-port", Integer.toString(uiPort),
                "--db-filename", dbFile.toString(),
                "--log-level", "warn");
        long started = System.nanoTime();
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary + " (" + e.getMessage() + ")", e);
        }
        Process started0 = process;
        // A test JVM that dies must not leave a server behind holding the ports.
        Runtime.getRuntime().addShutdownHook(new Thread(started0::destroyForcibly, "temporal-server-reaper"));
        awaitReady();
        log.info("Temporal dev server ready on {} (UI {}) in {} ms, database {}", target(), uiUri(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), dbFile);
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        // TCP first: a gRPC channel that failed to connect backs off for seconds before retrying.
        while (!accepts(grpcPort)) {
            checkAlive(deadline);
            sleep(50);
        }
        WorkflowServiceStubs stubs = newServiceStubs();
        try {
            while (true) {
                checkAlive(deadline);
                try {
                    stubs.blockingStub().withDeadlineAfter(5, TimeUnit.SECONDS)
                            .describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace(NAMESPACE).build());
                    break;
                } catch (StatusRuntimeException notYet) {
                    sleep(100);
                }
            }
        } finally {
            stubs.shutdownNow();
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        while (true) {
            checkAlive(deadline);
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(uiUri()).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the Temporal UI", e);
            }
            sleep(100);
        }
    }

    private void checkAlive(long deadlineNanos) {
        if (!process.isAlive()) {
            throw new IllegalStateException("the Temporal dev server exited with code " + process.exitValue()
                    + " before it was ready; its log: " + logTail());
        }
        if (System.nanoTime() > deadlineNanos) {
            process.destroyForcibly();
            throw new IllegalStateException("the Temporal dev server was not ready within " + READY_TIMEOUT
                    + "; its log: " + logTail());
        }
    }

    private void awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Temporal dev server did not stop within {}; killing it", timeout);
                process.destroyForcibly();
                process.waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Temporal dev server", e);
        }
    }

    /** Same rule as scripts/build-temporal-server.sh. */
    private static Path cacheRoot() {
        String dinojCache = System.getenv("DINOJ_CACHE");
        if (dinojCache != null && !dinojCache.isBlank()) {
            return Path.of(dinojCache);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("dinoj");
    }

    /** The Temporal CLI version required by tools/temporal/go.mod, found by walking up from the working directory. */
    private static String pinnedCliVersion() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path goMod = dir.resolve("tools/temporal/go.mod");
            if (Files.isRegularFile(goMod)) {
                try {
                    for (String line : Files.readAllLines(goMod)) {
                        String[] fields = line.trim().split("\\s+");
                        if (fields.length >= 2 && fields[0].equals(CLI_MODULE)) {
                            return fields[1];
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + goMod, e);
                }
                throw new IllegalStateException(goMod + " does not require " + CLI_MODULE + "; restore it from git");
            }
        }
        throw new IllegalStateException("no tools/temporal/go.mod above " + Path.of("").toAbsolutePath()
                + "; run the tests from the dinoj checkout or set DINOJ_TEMPORAL_BIN");
    }
}
