package org.dinoj.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptor;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptorBase;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A pause or cancel that reaches the workflow in the same workflow task in which the round's
 * activity completes on the server. Temporal's Java test server (dinoj's embedded server) answers a
 * RequestCancelActivityTask for an activity that completed while the workflow task was in flight
 * with FAILED_PRECONDITION ACTIVITY_UNKNOWN and then never schedules another workflow task, so a
 * workflow that cancels its round on these signals hangs (temporalio/sdk-java#2391). The race is
 * forced here: a workflow interceptor lets the round finish, and waits until the server has recorded
 * that, before the signal handler runs.
 */
class StopRaceTest {
    private static final String QUEUE = "stop-race";

    private TestWorkflowEnvironment env;
    private final FinishingRound training = new FinishingRound();
    private final AtomicBoolean armed = new AtomicBoolean(true);

    @BeforeEach
    void start() {
        WorkerInterceptorBase finishRoundFirst = new WorkerInterceptorBase() {
            @Override
            public WorkflowInboundCallsInterceptor interceptWorkflow(WorkflowInboundCallsInterceptor next) {
                return new WorkflowInboundCallsInterceptorBase(next) {
                    @Override
                    public void handleSignal(SignalInput input) {
                        if (armed.compareAndSet(true, false)) {
                            training.finish.countDown();
                            awaitNoPendingActivity(input);
                        }
                        super.handleSignal(input);
                    }
                };
            }
        };
        env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
                .setWorkerFactoryOptions(WorkerFactoryOptions.newBuilder()
                        .setWorkerInterceptors(finishRoundFirst).build())
                .build());
        for (var key : DinojSearchAttributes.ALL) {
            env.registerSearchAttribute(key.getName(), switch (key.getValueType()) {
                case INDEXED_VALUE_TYPE_INT -> IndexedValueType.INDEXED_VALUE_TYPE_INT;
                case INDEXED_VALUE_TYPE_DOUBLE -> IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE;
                default -> IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
            });
        }
        // The signal handler blocks while the round completes; on a loaded machine that can take longer
        // than the SDK's 1 s deadlock detection, which would fail the workflow task instead.
        Worker worker = env.newWorker(QUEUE, WorkerOptions.newBuilder()
                .setDefaultDeadlockDetectionTimeout(TimeUnit.SECONDS.toMillis(60)).build());
        worker.registerWorkflowImplementationTypes(PretrainWorkflowImpl.class);
        worker.registerActivitiesImplementations(training);
        env.start();
    }

    @AfterEach
    void stop() {
        env.close();
    }

    /**
     * Blocks the signal handler until the server lists no pending activity: the round's completion
     * is then buffered behind this workflow task.
     */
    private void awaitNoPendingActivity(WorkflowInboundCallsInterceptor.SignalInput input) {
        String workflowId = io.temporal.workflow.Workflow.getInfo().getWorkflowId();
        // Service stubs refuse calls from a workflow thread: poll from another thread and wait for it.
        java.util.concurrent.CompletableFuture<Boolean> drained = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            // Below the workflow task's 10 s timeout: a timed-out task would be retried with both events.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
            while (System.nanoTime() < deadline) {
                DescribeWorkflowExecutionResponse d = env.getWorkflowServiceStubs().blockingStub()
                        .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                                .setNamespace(env.getNamespace())
                                .setExecution(io.temporal.api.common.v1.WorkflowExecution.newBuilder()
                                        .setWorkflowId(workflowId))
                                .build());
                if (d.getPendingActivitiesCount() == 0) {
                    return true;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return false;
        });
        training.completedBeforeSignal = drained.join();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cancel", "pause"})
    void aStopRequestRacingTheRoundsCompletionDoesNotHangTheJob(String signal) throws Exception {
        String id = "race-" + signal;
        PretrainWorkflow workflow = env.getWorkflowClient().newWorkflowStub(PretrainWorkflow.class,
                WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(QUEUE).build());
        // One shard, two rounds of 10 steps. The held round does not heartbeat: a long heartbeat timeout,
        // so that a loaded machine does not time it out before the signal comes.
        ActivitySettings activities = new ActivitySettings(QUEUE, Duration.ofMinutes(2), Duration.ofMinutes(5), 3);
        JobSpec spec = new JobSpec(id, "test " + id, "model: tiny", "tiny test", "file:///ckpt/" + id, null, 1, 1, 20,
                10, 2, 1, 100, activities, 0);
        WorkflowClient.start(workflow::run, spec, null);
        assertThat(training.started.await(30, TimeUnit.SECONDS)).isTrue();

        if (signal.equals("cancel")) {
            workflow.cancel();
        } else {
            workflow.pause();
        }
        WorkflowStub untyped = WorkflowStub.fromTyped(workflow);
        if (signal.equals("cancel")) {
            JobResult result;
            try {
                result = untyped.getResult(60, TimeUnit.SECONDS, JobResult.class);
            } catch (TimeoutException e) {
                throw new AssertionError("the job hung after a cancel that raced the round's completion", e);
            }
            assertThat(training.completedBeforeSignal).as("the race was forced").isTrue();
            assertThat(result.status()).isEqualTo(JobStatus.CANCELLED);
            // The round had finished: its work counts, and nothing trains after the cancel.
            assertThat(result.step()).isEqualTo(10);
            assertThat(training.rounds).hasSize(1);
        } else {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Progress p = workflow.progress();
            while (p.status() != JobStatus.PAUSED && System.nanoTime() < deadline) {
                Thread.sleep(20);
                p = workflow.progress();
            }
            assertThat(training.completedBeforeSignal).as("the race was forced").isTrue();
            assertThat(p.status()).as("the job pauses after a pause that raced the round's completion")
                    .isEqualTo(JobStatus.PAUSED);
            assertThat(p.step()).isEqualTo(10);
            workflow.resume();
            JobResult result = untyped.getResult(60, TimeUnit.SECONDS, JobResult.class);
            assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(result.step()).isEqualTo(20);
            assertThat(training.rounds).extracting(TrainRoundRequest::endStep).containsExactly(10L, 20L);
        }
    }

    /**
     * The first round holds at its last step until released, then completes whatever the job asked
     * meanwhile: it is a round that had already finished when the stop request came. Later rounds
     * run straight through.
     */
    static final class FinishingRound implements TrainingActivities {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch finish = new CountDownLatch(1);
        final List<TrainRoundRequest> rounds = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile boolean completedBeforeSignal;
        private volatile CheckpointRef latest;

        @Override
        public TrainRoundResult trainRound(TrainRoundRequest request) {
            rounds.add(request);
            if (rounds.size() == 1) {
                started.countDown();
                try {
                    if (!finish.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the test never released the round");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            long end = request.endStep();
            latest = SimulatedTraining.checkpoint(request.jobId(), request.shard(), end);
            return new TrainRoundResult(request.shard(), latest,
                    new TrainingMetrics(end, SimulatedTraining.lossAt(end), Map.of(), 1e-3, 0.996, 100), null);
        }

        @Override
        public CheckpointRef mergeRound(MergeRoundRequest request) {
            throw new UnsupportedOperationException("one shard: no merge");
        }

        @Override
        public EvalResult evaluate(EvaluateRequest request) {
            return new EvalResult(request.epoch(), request.checkpoint().step(), 20, 50, 90);
        }

        @Override
        public CheckpointRef latestCheckpoint(String jobId, String checkpointStore, int shard) {
            return latest;
        }

        @Override
        public SizedSchedule sizeSchedule(SizeScheduleRequest request) {
            throw new AssertionError("a job without a time budget is not sized, got " + request);
        }
    }
}
