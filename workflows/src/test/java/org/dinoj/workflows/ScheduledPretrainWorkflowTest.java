package org.dinoj.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The scheduler workflow in the test environment: each run starts one PretrainWorkflow with its
 * own id and checkpoint store; as a Temporal Schedule's action it takes the job time from
 * TemporalScheduledStartTime, as a cron run from the workflow clock; a repeated firing does not start
 * the job twice.
 *
 * <p>The jobs here are {@link RecordedJob}s that end at once: the test is about the scheduler (one
 * test runs the real job on {@link SimulatedTraining}, for a firing with a time budget). The
 * cron firing itself is Temporal's; with the 1.38.0 test server, time skipping across a cron firing
 * hangs (env.sleep does not return), so it runs for real against the embedded server in the tests
 * module (ScheduledJobsTest, tagged slow) instead.
 */
@Timeout(60)
class ScheduledPretrainWorkflowTest {
    private static final String QUEUE = "test-training";

    private TestWorkflowEnvironment env;
    private WorkflowClient client;
    private final List<JobSpec> registered = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        env = environment();
        Worker worker = env.newWorker(QUEUE);
        worker.registerWorkflowImplementationTypes(RecordedJob.class, ScheduledPretrainWorkflowImpl.class);
        JobRegistryActivities registry = new JobRegistryActivities() {
            @Override
            public void registerJob(JobSpec spec) {
                registered.add(spec);
            }

            @Override
            public void recordSpec(JobSpec spec, String schedule) {
                throw new AssertionError("a firing without a time budget records no sized spec, got " + spec);
            }
        };
        worker.registerActivitiesImplementations(registry);
        env.start();
        client = env.getWorkflowClient();
    }

    /** A test environment with the search attributes dinoj's workflows set. */
    private static TestWorkflowEnvironment environment() {
        TestWorkflowEnvironment e = TestWorkflowEnvironment.newInstance();
        for (var key : DinojSearchAttributes.ALL) {
            e.registerSearchAttribute(key.getName(), key.getValueType());
        }
        e.registerSearchAttribute(ScheduledPretrainWorkflowImpl.SCHEDULED_START_TIME.getName(),
                IndexedValueType.INDEXED_VALUE_TYPE_DATETIME);
        return e;
    }

    @AfterEach
    void stop() {
        env.close();
    }

    /** A job that ends at once, as COMPLETED at its last step, so the test sees which spec it got. */
    public static final class RecordedJob implements PretrainWorkflow {
        @Override
        public JobResult run(JobSpec spec, JobState state) {
            return new JobResult(spec.jobId(), JobStatus.COMPLETED, spec.totalSteps(), null, null, null);
        }

        @Override
        public void pause() {
        }

        @Override
        public void resume() {
        }

        @Override
        public void cancel() {
        }

        @Override
        public Progress progress() {
            throw new UnsupportedOperationException("a recorded job answers no queries");
        }

        @Override
        public int setEpochs(int epochs) {
            throw new UnsupportedOperationException("a recorded job takes no updates");
        }

        @Override
        public void validateSetEpochs(int epochs) {
            throw new UnsupportedOperationException("a recorded job takes no updates");
        }
    }

    private static ScheduledJob nightly() {
        return new ScheduledJob("nightly", PretrainWorkflowTest.spec("nightly", 1, 1, 4, 4, 10), "file:///ckpt/");
    }

    @Test
    void withoutAScheduledTimeTheJobTimeIsTheWorkflowClockAsInACronRun() {
        Instant before = Instant.ofEpochMilli(env.currentTimeMillis());
        String jobId = run("dinoj-schedule-nightly", SearchAttributes.EMPTY);

        // The run starts within the minute the test began in, or the next one if it crossed a boundary.
        assertThat(jobId).isIn(nightly().jobIdAt(before), nightly().jobIdAt(before.plus(Duration.ofMinutes(1))));
        assertThat(registered).singleElement().satisfies(job -> {
            assertThat(job.jobId()).isEqualTo(jobId);
            assertThat(job.checkpointStore()).isEqualTo("file:///ckpt/" + jobId);
            assertThat(job.config()).isEqualTo(nightly().template().config());
        });
        JobResult result = client.newUntypedWorkflowStub(jobId).getResult(JobResult.class);
        assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(result.step()).isEqualTo(4);
    }

    @Test
    void asAScheduleActionTheJobTimeIsTheScheduledTimeAndARepeatedFiringStartsNothingNew() {
        OffsetDateTime scheduled = OffsetDateTime.of(2030, 1, 2, 3, 4, 59, 0, ZoneOffset.UTC);
        SearchAttributes attributes = SearchAttributes.newBuilder()
                .set(ScheduledPretrainWorkflowImpl.SCHEDULED_START_TIME, scheduled).build();
        String first = run("dinoj-schedule-nightly-2030-01-02T03:04:59Z", attributes);
        String again = run("dinoj-schedule-nightly-retry", attributes);

        assertThat(first).isEqualTo("nightly-20300102-0304").isEqualTo(again);
        JobResult result = client.newUntypedWorkflowStub(first).getResult(JobResult.class);
        assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(registered).extracting(JobSpec::jobId).containsOnly(first);
    }

    private String run(String workflowId, SearchAttributes attributes) {
        ScheduledPretrainWorkflow scheduler = client.newWorkflowStub(ScheduledPretrainWorkflow.class,
                WorkflowOptions.newBuilder().setWorkflowId(workflowId).setTaskQueue(QUEUE)
                        .setTypedSearchAttributes(attributes).build());
        return scheduler.run(nightly());
    }

    /** {@code dinoj schedule create --time-budget M}: each firing's job is sized by a worker before it trains. */
    @Test
    void aFiringWithATimeBudgetStartsAJobThatIsSizedOnceBeforeItTrains() {
        try (TestWorkflowEnvironment budgetEnv = environment()) {
            Worker worker = budgetEnv.newWorker(QUEUE);
            worker.registerWorkflowImplementationTypes(PretrainWorkflowImpl.class, ScheduledPretrainWorkflowImpl.class);
            SimulatedTraining training = new SimulatedTraining(0);
            worker.registerActivitiesImplementations(training);
            budgetEnv.start();
            // Configured for 1 epoch; 35 s at the simulated 10 s an epoch hold 3.
            ScheduledJob job = new ScheduledJob("nightly",
                    PretrainWorkflowScenarios.budgetedSpec(QUEUE, "nightly", 1, 1, 4, 2, 2, 35), "file:///ckpt/");
            WorkflowClient budgetClient = budgetEnv.getWorkflowClient();
            String jobId = budgetClient.newWorkflowStub(ScheduledPretrainWorkflow.class, WorkflowOptions.newBuilder()
                    .setWorkflowId("dinoj-schedule-nightly").setTaskQueue(QUEUE).build()).run(job);

            JobResult result = budgetClient.newUntypedWorkflowStub(jobId).getResult(JobResult.class);
            assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(result.step()).isEqualTo(12);
            assertThat(training.sizings).singleElement().satisfies(sizing -> {
                assertThat(sizing.jobId()).isEqualTo(jobId);
                assertThat(sizing.checkpointStore()).isEqualTo("file:///ckpt/" + jobId);
                assertThat(sizing.secondsLeft()).isBetween(30.0, 35.0);
            });
            // Registered by the firing with its budget, then recorded sized, with none left to size again.
            assertThat(training.recordedSpecs).extracting(JobSpec::jobId).containsOnly(jobId);
            assertThat(training.recordedSpecs).extracting(JobSpec::epochs).containsExactly(1, 3);
            assertThat(training.recordedSpecs).extracting(JobSpec::timeBudgetSeconds).containsExactly(35.0, 0.0);
            assertThat(training.rounds()).extracting(TrainRoundRequest::epochs).containsOnly(3);
        }
    }

    @Test
    void jobIdsAreTheScheduleIdAndTheMinuteInUtc() {
        assertThat(nightly().jobIdAt(Instant.parse("2031-12-31T23:59:30Z"))).isEqualTo("nightly-20311231-2359");
        assertThat(nightly().jobAt(Instant.parse("2031-12-31T23:59:30Z")).checkpointStore())
                .isEqualTo("file:///ckpt/nightly-20311231-2359");
    }
}
