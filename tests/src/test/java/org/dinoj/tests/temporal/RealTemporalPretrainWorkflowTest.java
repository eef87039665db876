package org.dinoj.tests.temporal;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.api.enums.v1.TaskQueueKind;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dinoj.worker.temporal.RealTemporalServer;
import org.dinoj.worker.temporal.SearchAttributeRegistration;
import org.dinoj.workflows.JobResult;
import org.dinoj.workflows.JobStatus;
import org.dinoj.workflows.PretrainWorkflow;
import org.dinoj.workflows.PretrainWorkflowImpl;
import org.dinoj.workflows.PretrainWorkflowScenarios;
import org.dinoj.workflows.SimulatedTraining;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workflow scenarios of PretrainWorkflowTest on the real Temporal dev server, with a worker in
 * this JVM as production runs it: sticky execution on (the SDK default, which the embedded Java test
 * server cannot use for dinoj), the search attributes registered by dinoj's own registration.
 */
@Tag(RealTemporalServer.TAG)
class RealTemporalPretrainWorkflowTest extends PretrainWorkflowScenarios {
    @TempDir
    static Path dataDir;

    private static RealTemporalServer server;
    private static WorkflowServiceStubs service;
    private static WorkflowClient client;

    private WorkerFactory factory;

    @BeforeAll
    static void startServer() {
        server = RealTemporalServer.start(dataDir);
        service = server.newServiceStubs();
        SearchAttributeRegistration.ensureRegistered(service, RealTemporalServer.NAMESPACE);
        client = WorkflowClient.newInstance(service,
                WorkflowClientOptions.newBuilder().setNamespace(RealTemporalServer.NAMESPACE).build());
    }

    @AfterAll
    static void stopServer() {
        if (service != null) {
            service.shutdownNow();
        }
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void stopWorker() throws InterruptedException {
        if (factory != null) {
            factory.shutdownNow();
            factory.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void workflowTasksGoToTheWorkersStickyQueue() {
        String queue = "sticky-check";
        startWorker(queue, new SimulatedTraining(0));
        PretrainWorkflow workflow = client.newWorkflowStub(PretrainWorkflow.class,
                WorkflowOptions.newBuilder().setWorkflowId("sticky-check").setTaskQueue(queue).build());
        JobResult result = workflow.run(spec(queue, "sticky-check", 1, 1, 6, 2, 100), null);
        assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);

        // After the first workflow task the server hands the rest to the worker that has the
        // workflow cached, on that worker's own sticky queue.
        List<TaskQueueKind> kinds = client.fetchHistory("sticky-check").getEvents().stream()
                .filter(HistoryEvent::hasWorkflowTaskScheduledEventAttributes)
                .map(e -> e.getWorkflowTaskScheduledEventAttributes().getTaskQueue().getKind())
                .toList();
        assertThat(kinds.getFirst()).isEqualTo(TaskQueueKind.TASK_QUEUE_KIND_NORMAL);
        assertThat(kinds).contains(TaskQueueKind.TASK_QUEUE_KIND_STICKY);
    }

    @Override
    protected WorkflowClient client() {
        return client;
    }

    @Override
    protected void startWorker(String taskQueue, SimulatedTraining activities) {
        // The SDK defaults: a workflow cache, hence sticky task queues, as a production worker runs.
        factory = WorkerFactory.newInstance(client, WorkerFactoryOptions.getDefaultInstance());
        Worker worker = factory.newWorker(taskQueue);
        worker.registerWorkflowImplementationTypes(PretrainWorkflowImpl.class);
        worker.registerActivitiesImplementations(activities);
        factory.start();
    }
}
