package org.dinoj.worker.temporal;

import com.uber.m3.tally.NoopScope;
import com.uber.m3.tally.Scope;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.RpcRetryOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.dinoj.model.train.CheckpointEvaluator;
import org.dinoj.model.train.TrainingSessionFactory;
import org.dinoj.worker.activities.TrainingActivitiesImpl;
import org.dinoj.worker.jobs.JobRegistryActivitiesImpl;
import org.dinoj.workflows.PretrainWorkflowImpl;
import org.dinoj.workflows.ScheduledPretrainWorkflowImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker process's connection to Temporal: the pretraining workflow and the training activities
 * on one task queue, one activity at a time (a round owns the machine's cores and memory).
 */
public final class WorkerBootstrap implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkerBootstrap.class);

    private final WorkflowServiceStubs service;
    private final WorkerFactory factory;

    private WorkerBootstrap(WorkflowServiceStubs service, WorkerFactory factory) {
        this.service = service;
        this.factory = factory;
    }

    public static WorkerBootstrap start(WorkerSettings settings, TrainingSessionFactory sessions,
                                        CheckpointEvaluator evaluator) {
        return start(settings, sessions, evaluator, new NoopScope());
    }

    /** As above, reporting the SDK's metrics (pollers, task latencies, RPCs) to {@code metricsScope}. */
    public static WorkerBootstrap start(WorkerSettings settings, TrainingSessionFactory sessions,
                                        CheckpointEvaluator evaluator, Scope metricsScope) {
        WorkflowServiceStubs service = connect(settings.target(), metricsScope);
        try {
            SearchAttributeRegistration.ensureRegistered(service, settings.namespace());
            WorkflowClient client = WorkflowClient.newInstance(service,
                    WorkflowClientOptions.newBuilder().setNamespace(settings.namespace()).build());
            WorkerFactory factory = WorkerFactory.newInstance(client, WorkerFactoryOptions.newBuilder()
                    .setWorkerInterceptors(new BadInputIsFinal()).build());
            WorkerOptions.Builder options = WorkerOptions.newBuilder()
                    .setMaxConcurrentActivityExecutionSize(1)
                    // Poll for the next round only when this one is done.
                    .setMaxConcurrentActivityTaskPollers(1);
            if (!settings.sticky()) {
                options.setStickyQueueScheduleToStartTimeout(Duration.ZERO);
            }
            Worker worker = factory.newWorker(settings.taskQueue(), options.build());
            worker.registerWorkflowImplementationTypes(PretrainWorkflowImpl.class, ScheduledPretrainWorkflowImpl.class);
            worker.registerActivitiesImplementations(new TrainingActivitiesImpl(sessions, evaluator, settings.policy()),
                    new JobRegistryActivitiesImpl());
            factory.start();
            log.info("worker polling task queue {} on {} (sticky execution {})", settings.taskQueue(), settings.target(),
                    settings.sticky() ? "on" : "off");
            return new WorkerBootstrap(service, factory);
        } catch (RuntimeException e) {
            service.shutdownNow();
            throw e;
        }
    }

    /** Stubs for {@code host:port}, failing with one sentence when nothing answers there. */
    public static WorkflowServiceStubs connect(String target) {
        return connect(target, new NoopScope());
    }

    /** As {@link #connect(String)}, with the SDK's client metrics reported to {@code metricsScope}. */
    public static WorkflowServiceStubs connect(String target, Scope metricsScope) {
        return connect(WorkflowServiceStubsOptions.newBuilder().setTarget(target).setMetricsScope(metricsScope).build());
    }

    /**
     * Options whose calls give up retrying an unreachable service after {@code giveUpAfter} (the SDK's
     * default is a minute): for a server that answers a request, which should say at once that
     * Temporal is down rather than hold the caller, and whatever waits behind it, for that long.
     */
    public static WorkflowServiceStubsOptions answeringOptions(String target, Scope metricsScope, Duration giveUpAfter) {
        return WorkflowServiceStubsOptions.newBuilder().setTarget(target).setMetricsScope(metricsScope)
                .setRpcRetryOptions(RpcRetryOptions.newBuilder().setExpiration(giveUpAfter).build()).build();
    }

    /** Stubs with {@code options}, failing with one sentence when nothing answers at their target. */
    public static WorkflowServiceStubs connect(WorkflowServiceStubsOptions options) {
        String target = options.getTarget();
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(options);
        try {
            stubs.healthCheck();
        } catch (RuntimeException e) {
            stubs.shutdownNow();
            throw new IllegalStateException("no Temporal service answers at " + target + " (" + e.getMessage()
                    + "); start one with 'dinoj server' or give the right --temporal HOST:PORT", e);
        }
        return stubs;
    }

    /**
     * Stops polling and lets running activities stop: a running round sees the shutdown at its next
     * heartbeat, writes a checkpoint and ends its attempt, so a retry elsewhere loses nothing.
     */
    public void shutdownGracefully(Duration timeout) {
        factory.shutdown();
        try {
            factory.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!factory.isTerminated()) {
                log.warn("worker did not stop within {}; stopping it now", timeout);
                factory.shutdownNow();
            }
        } finally {
            service.shutdown();
        }
    }

    public void awaitTermination() {
        while (!factory.isTerminated()) {
            // A worker runs until it is shut down.
            factory.awaitTermination(1, TimeUnit.HOURS);
        }
    }

    @Override
    public void close() {
        shutdownGracefully(Duration.ofSeconds(30));
    }
}
