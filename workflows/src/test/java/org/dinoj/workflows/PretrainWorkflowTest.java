package org.dinoj.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The workflow scenarios on Temporal's Java test server, in-process (wall-clock time). */
class PretrainWorkflowTest extends PretrainWorkflowScenarios {
    private static final String QUEUE = "test-training";

    private TestWorkflowEnvironment env;

    @BeforeEach
    void start() {
        env = TestWorkflowEnvironment.newInstance();
        env.registerSearchAttribute("DinojJob", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
        env.registerSearchAttribute("DinojStatus", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
        env.registerSearchAttribute("DinojEpoch", IndexedValueType.INDEXED_VALUE_TYPE_INT);
        env.registerSearchAttribute("DinojStep", IndexedValueType.INDEXED_VALUE_TYPE_INT);
        env.registerSearchAttribute("DinojLoss", IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE);
        env.registerSearchAttribute("DinojKnnTop1", IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE);
    }

    @AfterEach
    void stop() {
        env.close();
    }

    @Override
    protected WorkflowClient client() {
        return env.getWorkflowClient();
    }

    @Override
    protected void startWorker(String taskQueue, SimulatedTraining activities) {
        Worker worker = env.newWorker(taskQueue);
        worker.registerWorkflowImplementationTypes(PretrainWorkflowImpl.class);
        worker.registerActivitiesImplementations(activities);
        env.start();
    }

    /** The job spec {@link RecordHistories} records (its histories name this queue). */
    static JobSpec spec(String id, int shards, int epochs, long stepsPerEpoch, long stepsPerRound, int roundsPerRun) {
        return spec(QUEUE, id, shards, epochs, stepsPerEpoch, stepsPerRound, roundsPerRun);
    }

    @Test
    void progressSummaryReadsLikeAStatusLine() {
        Progress p = new Progress("j", JobStatus.RUNNING, 3, 100, 412, 1250,
                new TrainingMetrics(412, 6.21, Map.of(), 1e-3, 0.99, 48), null, null, 3725, 0, null);
        // Three epochs done: the fourth is under way.
        assertThat(p.summary()).isEqualTo("running: epoch 4/100, step 412/1250, loss 6.210, lr 0.00100, 48.0 img/s, ETA 1h02m");
        Progress refused = new Progress("j", JobStatus.RUNNING, 3, 100, 412, 1250,
                new TrainingMetrics(412, 6.21, Map.of(), 5e-4, 0.99, 48), null, null, -1, 7, null);
        assertThat(refused.summary())
                .isEqualTo("running: epoch 4/100, step 412/1250, loss 6.210, lr 0.000500, 48.0 img/s, 7 non-finite steps refused");
        // Paused, it has no end to estimate; completed, the epoch is the last one.
        Progress paused = new Progress("j", JobStatus.PAUSED, 3, 100, 412, 1250, null, null, null, 3725, 0, null);
        assertThat(paused.summary()).isEqualTo("paused: epoch 4/100, step 412/1250");
        Progress done = new Progress("j", JobStatus.COMPLETED, 100, 100, 1250, 1250, null, null, null, 0, 0, null);
        assertThat(done.summary()).isEqualTo("completed: epoch 100/100, step 1250/1250");
    }
}
