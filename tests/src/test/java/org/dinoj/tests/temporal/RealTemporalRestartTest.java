package org.dinoj.tests.temporal;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.dinoj.worker.temporal.RealTemporalServer;
import org.dinoj.worker.temporal.SearchAttributeRegistration;
import org.dinoj.workflows.ActivitySettings;
import org.dinoj.workflows.DinojSearchAttributes;
import org.dinoj.workflows.JobResult;
import org.dinoj.workflows.JobSpec;
import org.dinoj.workflows.JobStatus;
import org.dinoj.workflows.PretrainWorkflow;
import org.dinoj.workflows.PretrainWorkflowImpl;
import org.dinoj.workflows.SimulatedTraining;
import org.dinoj.workflows.TrainRoundRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Temporal server that crashes and comes back on its SQLite file while a job trains: the job
 * finishes in the same run, with no reconcile step of dinoj's (that is what the embedded server
 * needs the job registry for), and visibility finds it by dinoj's search attributes.
 */
@Tag(RealTemporalServer.TAG)
class RealTemporalRestartTest {
    private static final String QUEUE = "restart-training";
    private static final String JOB_NAME = "restart job";

    @TempDir
    Path dataDir;

    @Test
    void aJobInFlightGoesOnAfterTheServerCrashesAndRestarts() throws Exception {
        try (RealTemporalServer server = RealTemporalServer.start(dataDir)) {
            WorkflowServiceStubs service = server.newServiceStubs();
            WorkerFactory factory = null;
            try {
                SearchAttributeRegistration.ensureRegistered(service, RealTemporalServer.NAMESPACE);
                WorkflowClient client = WorkflowClient.newInstance(service,
                        WorkflowClientOptions.newBuilder().setNamespace(RealTemporalServer.NAMESPACE).build());
                factory = WorkerFactory.newInstance(client);
                Worker worker = factory.newWorker(QUEUE);
                worker.registerWorkflowImplementationTypes(PretrainWorkflowImpl.class);
                SimulatedTraining training = new SimulatedTraining(40);
                worker.registerActivitiesImplementations(training);
                factory.start();

                PretrainWorkflow workflow = client.newWorkflowStub(PretrainWorkflow.class,
                        WorkflowOptions.newBuilder().setWorkflowId("restart").setTaskQueue(QUEUE).build());
                WorkflowExecution started = WorkflowClient.start(workflow::run, spec(), null);

                // Visibility while it runs: the query a person types in the UI's search box.
                List<WorkflowExecutionMetadata> running = await(client,
                        "DinojJob = '" + JOB_NAME + "' AND ExecutionStatus = 'Running'");
                assertThat(running).extracting(m -> m.getExecution().getRunId()).containsExactly(started.getRunId());

                awaitTrue(() -> training.currentStep() >= 15, "the second round to be under way");
                server.kill();
                long stepAtCrash = training.currentStep();
                server.restart();

                JobResult result = WorkflowStub.fromTyped(workflow).getResult(120, TimeUnit.SECONDS, JobResult.class);
                assertThat(stepAtCrash).isBetween(15L, 59L);
                assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
                assertThat(result.step()).isEqualTo(60);
                assertThat(result.lastMetrics().loss()).isEqualTo(SimulatedTraining.lossAt(60));

                // The run that was in flight is the one that finished: nothing restarted the job.
                WorkflowExecutionMetadata finished = client.newUntypedWorkflowStub("restart").describe();
                assertThat(finished.getExecution().getRunId()).isEqualTo(started.getRunId());
                assertThat(finished.getStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
                // Training went on from where it was: every round ends on the round grid, only the
                // first started from scratch (a round retried after the outage resumes from its start).
                List<TrainRoundRequest> rounds = training.rounds();
                assertThat(rounds.stream().map(TrainRoundRequest::endStep).distinct())
                        .containsExactly(10L, 20L, 30L, 40L, 50L, 60L);
                assertThat(rounds).filteredOn(r -> r.startFrom() == null)
                        .extracting(TrainRoundRequest::endStep).containsOnly(10L);

                List<WorkflowExecutionMetadata> completed = await(client,
                        "DinojJob = '" + JOB_NAME + "' AND DinojStatus = 'COMPLETED' AND DinojStep = 60");
                assertThat(completed).hasSize(1);
                var attributes = completed.getFirst().getTypedSearchAttributes();
                assertThat(attributes.get(DinojSearchAttributes.EPOCH)).isEqualTo(1L);
                assertThat(attributes.get(DinojSearchAttributes.LOSS)).isEqualTo(Math.round(SimulatedTraining.lossAt(60) * 1e4) / 1e4);
                // SimulatedTraining's k-NN top-1 is 50 + epoch.
                assertThat(attributes.get(DinojSearchAttributes.KNN_TOP1)).isEqualTo(51.0);
            } finally {
                if (factory != null) {
                    factory.shutdownNow();
                    factory.awaitTermination(10, TimeUnit.SECONDS);
                }
                service.shutdownNow();
            }
        }
    }

    /**
     * One shard, 60 steps in rounds of 10, one evaluation at the end. The heartbeat timeout is longer
     * than the outage, so the attempt running at the crash may live through it.
     */
    private static JobSpec spec() {
        ActivitySettings activities = new ActivitySettings(QUEUE, Duration.ofSeconds(30), Duration.ofMinutes(5), 5);
        return new JobSpec("restart", JOB_NAME, "model: tiny", "tiny test", "file:///ckpt/restart", null, 1, 1,
                60, 10, 2, 1, 100, activities, 0);
    }

    /** Visibility is updated asynchronously: polls the query until it finds something. */
    private static List<WorkflowExecutionMetadata> await(WorkflowClient client, String query) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            List<WorkflowExecutionMetadata> found = client.listExecutions(query).toList();
            if (!found.isEmpty()) {
                return found;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no workflow matched the visibility query " + query + " within 30 s");
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after 30 s waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
