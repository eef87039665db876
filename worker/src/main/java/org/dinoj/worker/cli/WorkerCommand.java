package org.dinoj.worker.cli;

import com.uber.m3.tally.NoopScope;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.dinoj.worker.activities.TrainingPolicy;
import org.dinoj.worker.metrics.MetricsHttpServer;
import org.dinoj.worker.metrics.PrometheusMetrics;
import org.dinoj.worker.supervise.ParentWatch;
import org.dinoj.worker.temporal.TrainingServices;
import org.dinoj.worker.temporal.WorkerBootstrap;
import org.dinoj.worker.temporal.WorkerSettings;
import org.dinoj.workflows.ActivitySettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code dinoj worker}: polls a Temporal task queue for pretraining workflows and training rounds. */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Runs one training worker: one round at a time; SIGTERM or Ctrl-C checkpoints and stops.")
public final class WorkerCommand implements Callable<Integer> {

    @Option(names = "--temporal", required = true, paramLabel = "HOST:PORT", description = "Temporal frontend.")
    String temporal;

    @Option(names = "--task-queue", defaultValue = ActivitySettings.DEFAULT_TASK_QUEUE,
            description = "Task queue (default: ${DEFAULT-VALUE}).")
    String taskQueue;

    @Option(names = "--namespace", defaultValue = "default", description = "Temporal namespace (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--no-sticky", description = "Turn sticky workflow execution off (needed with the embedded server).")
    boolean noSticky;

    @Option(names = "--keep-checkpoints", defaultValue = "3", description = "Newest checkpoints kept per shard (default: ${DEFAULT-VALUE}); the one with the best k-NN"
                    + " so far is kept too.")
    int keep;

    @Option(names = "--refusals-before-reopen", defaultValue = "3",
            description = "Non-finite steps in a row before reopening from the last checkpoint (default: ${DEFAULT-VALUE}).")
    int refusals;

    @Option(names = "--metrics-port", defaultValue = "0", paramLabel = "PORT",
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics (default: ${DEFAULT-VALUE} = off).")
    int metricsPort;

    @Option(names = "--metrics-host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "Address the metrics endpoint binds (default: ${DEFAULT-VALUE}).")
    String metricsHost;

    @Option(names = "--ignore-sigint", hidden = true,
            description = "Ignore Ctrl-C (the supervising 'dinoj pretrain' pauses the job first, then stops its workers).")
    boolean ignoreSigint;

    @Option(names = "--exit-with-parent", hidden = true, paramLabel = "PID",
            description = "Stop at once when this process (the supervisor that started the worker) is gone.")
    Long supervisorPid;

    @Override
    public Integer call() throws Exception {
        if (supervisorPid != null) {
            // By its pid, not as this process's parent: a supervisor already gone has left the worker to init.
            ParentWatch.haltWhenGone(supervisorPid);
        }
        TrainingServices services = TrainingServices.load();
        if (ignoreSigint) {
            Signal.handle(new Signal("INT"), signal -> { });
        }
        WorkerSettings settings = new WorkerSettings(temporal, namespace, taskQueue, !noSticky,
                new TrainingPolicy(keep, refusals, TrainingPolicy.defaults().maxLearningRateHalvings()));
        if (metricsPort < 0 || metricsPort > 65535) {
            throw new IllegalArgumentException("--metrics-port " + metricsPort + " is not a port; give 1-65535, or 0 for no metrics");
        }
        PrometheusMetrics metrics = metricsPort > 0 ? PrometheusMetrics.createAndInstall() : null;
        MetricsHttpServer metricsServer = metrics != null ? MetricsHttpServer.start(metrics, metricsHost, metricsPort) : null;
        WorkerBootstrap worker = WorkerBootstrap.start(settings, services.sessions(), services.evaluator(),
                metrics != null ? metrics.temporalScope() : new NoopScope());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.shutdownGracefully(Duration.ofSeconds(60));
            if (metricsServer != null) {
                metricsServer.close();
                metrics.close();
            }
        }));
        System.out.println("dinoj worker polling '" + taskQueue + "' on " + temporal
                + (metricsServer != null ? "; metrics at http://" + metricsHost + ":" + metricsServer.port() + "/metrics" : ""));
        worker.awaitTermination();
        return 0;
    }
}
