package org.dinoj.worker.jobs;

import com.uber.m3.tally.NoopScope;
import com.uber.m3.tally.Scope;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.dinoj.worker.supervise.WorkerSupervisor;
import org.dinoj.worker.temporal.EmbeddedTemporalServer;
import org.dinoj.worker.temporal.SearchAttributeRegistration;
import org.dinoj.worker.temporal.WorkerBootstrap;
import org.dinoj.workflows.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code dinoj pretrain} runs on one machine: a Temporal service (the embedded one unless a
 * target is given), N supervised worker processes and a client with the job registry.
 */
public final class LocalRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalRunner.class);
    /** Temporal's usual port, tried first so that 'dinoj jobs' finds the embedded server without options. */
    public static final int DEFAULT_PORT = 7233;

    /**
     * @param temporal {@code host:port} of a running service, or null for the embedded server
     * @param embeddedPort port of the embedded server: a number, or -1 for 7233 if free else any free port
     * @param workerMain main class of the worker processes, with its arguments before {@code --temporal}
     */
    public record Options(String temporal, int embeddedPort, int workers, Path checkpointDirectory,
                          List<String> workerMain) {
    }

    private final EmbeddedTemporalServer server;
    private final WorkflowServiceStubs service;
    private final WorkerSupervisor supervisor;
    private final JobService jobs;
    private final String target;

    private LocalRunner(EmbeddedTemporalServer server, WorkflowServiceStubs service, WorkerSupervisor supervisor,
                        JobService jobs, String target) {
        this.server = server;
        this.service = service;
        this.supervisor = supervisor;
        this.jobs = jobs;
        this.target = target;
    }

    public static LocalRunner start(Options options, Consumer<String> events) throws IOException {
        return start(options, events, new NoopScope());
    }

    /** As above, with the client's Temporal SDK metrics reported to {@code metricsScope}. */
    public static LocalRunner start(Options options, Consumer<String> events, Scope metricsScope) throws IOException {
        EmbeddedTemporalServer server = null;
        String target = options.temporal();
        if (target == null) {
            server = startEmbedded(options.embeddedPort());
            target = server.target();
        }
        WorkflowServiceStubs service = null;
        WorkerSupervisor supervisor = null;
        try {
            service = WorkerBootstrap.connect(target, metricsScope);
            SearchAttributeRegistration.ensureRegistered(service, "default");
            List<String> workerCommand = new ArrayList<>(options.workerMain());
            workerCommand.addAll(List.of("--temporal", target, "--ignore-sigint",
                    "--exit-with-parent", Long.toString(ProcessHandle.current().pid())));
            if (server != null) {
                workerCommand.add("--no-sticky");
            }
            supervisor = new WorkerSupervisor(workerCommand, options.workers(),
                    options.checkpointDirectory().resolve("logs"), events);
            supervisor.start();
            JobService jobs = new JobService(WorkflowClient.newInstance(service),
                    new JobRegistry(options.checkpointDirectory()));
            return new LocalRunner(server, service, supervisor, jobs, target);
        } catch (IOException | RuntimeException e) {
            if (supervisor != null) {
                supervisor.close();
            }
            if (service != null) {
                service.shutdownNow();
            }
            if (server != null) {
                server.close();
            }
            throw e;
        }
    }

    private static EmbeddedTemporalServer startEmbedded(int port) throws IOException {
        if (port >= 0) {
            return EmbeddedTemporalServer.start(port);
        }
        try {
            return EmbeddedTemporalServer.start(DEFAULT_PORT);
        } catch (IOException taken) {
            log.info("port {} is taken; the embedded Temporal server uses a free port", DEFAULT_PORT);
            return EmbeddedTemporalServer.start(0);
        }
    }

    public String target() {
        return target;
    }

    public boolean embedded() {
        return server != null;
    }

    public JobService jobs() {
        return jobs;
    }

    public WorkerSupervisor supervisor() {
        return supervisor;
    }

    /** Records the job's status and latest checkpoint in the registry; returns its progress. */
    public Progress syncRegistry(String jobId) throws IOException {
        return jobs.syncRegistry(jobId);
    }

    @Override
    public void close() {
        supervisor.close();
        service.shutdown();
        if (server != null) {
            server.close();
        }
    }
}
