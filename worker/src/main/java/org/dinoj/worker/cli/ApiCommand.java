package org.dinoj.worker.cli;

import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.dinoj.worker.api.ApiServer;
import org.dinoj.worker.api.ApiToken;
import org.dinoj.worker.api.DataRoots;
import org.dinoj.worker.api.JobsApi;
import org.dinoj.worker.jobs.JobRegistry;
import org.dinoj.worker.jobs.JobService;
import org.dinoj.worker.jobs.LocalRunner;
import org.dinoj.worker.metrics.PrometheusMetrics;
import org.dinoj.worker.temporal.SearchAttributeRegistration;
import org.dinoj.worker.temporal.WorkerBootstrap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dinoj api}: the REST API. With {@code --temporal} it is a client of that service (workers
 * run elsewhere); without, it brings the embedded server and {@code --workers} worker processes, as
 * {@code dinoj pretrain} does.
 */
@Command(name = "api", mixinStandardHelpOptions = true,
        description = "Serves the REST API (jobs, /metrics, /healthz, /openapi.yaml) until Ctrl-C.")
public final class ApiCommand implements Callable<Integer> {
    /**
     * How long a request waits on a Temporal service that does not answer before it gets 503: job
     * creation is serialised, so a minute's wait would hold every other POST behind it.
     */
    public static final Duration TEMPORAL_CALLS_GIVE_UP_AFTER = Duration.ofSeconds(10);

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; other addresses need a token).")
    String bind;

    @Option(names = "--temporal", paramLabel = "HOST:PORT", description = "Temporal frontend (default: an embedded server"
            + " with --workers worker processes).")
    String temporal;

    @Option(names = "--workers", defaultValue = "1", description = "Worker processes with the embedded server"
            + " (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--checkpoint-dir", defaultValue = "checkpoints", converter = CheckpointDirConverter.class,
            description = "Checkpoints, job registry and idempotency keys (default: ${DEFAULT-VALUE}).")
    Path checkpointDir;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File whose first line is the bearer token (else the env variable " + ApiToken.ENV + ").")
    Path tokenFile;

    @Option(names = "--insecure-localhost", description = "Allow running without a token, on a loopback address only.")
    boolean insecureLocalhost;

    @Option(names = "--data-root", paramLabel = "DIR",
            description = "Directory that datasets, config files and base checkpoints may be in (repeatable).")
    List<Path> dataRoots = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Optional<ApiToken> token = ApiToken.load(tokenFile, System.getenv(ApiToken.ENV));
        if (token.isEmpty()) {
            if (!insecureLocalhost) {
                throw new IllegalArgumentException("no API token: give --token-file FILE or set " + ApiToken.ENV
                        + " (or, for a loopback-only test, --insecure-localhost)");
            }
            if (!InetAddress.getByName(bind).isLoopbackAddress()) {
                throw new IllegalArgumentException("--insecure-localhost serves without a token and so only on a loopback"
                        + " address, but --bind is " + bind + "; give a token to listen there");
            }
        }
        DataRoots roots = DataRoots.of(dataRoots);
        Path root = checkpointDir.toAbsolutePath().normalize();
        PrometheusMetrics metrics = PrometheusMetrics.create();
        LocalRunner runner = null;
        WorkflowServiceStubs stubs = null;
        JobService jobs;
        if (temporal == null) {
            runner = LocalRunner.start(new LocalRunner.Options(null, -1, workers, root,
                    List.of(DinojCli.class.getName(), "worker")), line -> System.out.println(line),
                    metrics.temporalScope());
            jobs = runner.jobs();
        } else {
            stubs = WorkerBootstrap.connect(WorkerBootstrap.answeringOptions(temporal, metrics.temporalScope(),
                    TEMPORAL_CALLS_GIVE_UP_AFTER));
            SearchAttributeRegistration.ensureRegistered(stubs, "default");
            jobs = new JobService(WorkflowClient.newInstance(stubs), new JobRegistry(root));
        }
        for (String restarted : jobs.reconcile()) {
            System.out.println("restarted unfinished job " + restarted + " from its latest verified checkpoint");
        }
        ApiServer server = ApiServer.start(bind, port, token, new JobsApi(jobs, root, roots), metrics);
        System.out.println("dinoj API on http://" + bind + ":" + server.port() + " (Temporal "
                + (runner != null ? runner.target() + ", embedded, with " + workers + " worker process(es)" : temporal)
                + "); data roots " + roots.roots() + "; checkpoints in " + root);
        if (token.isEmpty()) {
            System.out.println("WARNING: no token: anyone on this machine can start and stop jobs");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        LocalRunner ownedRunner = runner;
        WorkflowServiceStubs ownedStubs = stubs;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            if (ownedRunner != null) {
                ownedRunner.close();
            }
            if (ownedStubs != null) {
                ownedStubs.shutdown();
            }
            metrics.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }
}
