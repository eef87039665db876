package org.dinoj.workflows;

import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Records the histories that {@link PretrainWorkflowReplayTest} replays. Run it only when the
 * workflow's command order changes on purpose (behind Workflow.getVersion), keeping the old files:
 * {@code mvn -pl workflows test-compile exec:java} is not configured, so run the main from an IDE or
 * with the test class path. Arguments: the folder, then the tag of the workflow version that records
 * them, which names the files (v1 cancelled the round's activities, v2 stops rounds through the
 * published status, v3 also writes the progress memo, v4 ends a job cancelled in Temporal itself as
 * dinoj's cancel does, v5 lets a retraining paused in its first round keep its steps, v6 shortens a job that falls behind
 * its time budget), and
 * optionally the one history to record (1shard, 2shards, pause-resume-cancel, time-budget,
 * service-cancel, retraining-pause, budget-behind, time-budget-2shards).
 */
public final class RecordHistories {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "workflows/src/test/resources/histories");
        Files.createDirectories(dir);
        String version = args.length > 1 ? args[1] : "v3";
        // A third argument names the one history to record, e.g. a scenario added after the version's others.
        String only = args.length > 2 ? args[2] : null;
        if (only == null || only.equals("1shard")) {
            record(dir.resolve("pretrain-1shard-" + version + ".json"), "replay-1shard", 1, 0);
        }
        if (only == null || only.equals("2shards")) {
            record(dir.resolve("pretrain-2shards-" + version + ".json"), "replay-2shards", 2, 0);
        }
        if (only == null || only.equals("pause-resume-cancel")) {
            recordPauseResumeCancel(dir.resolve("pretrain-pause-resume-cancel-" + version + ".json"));
        }
        if (only == null || only.equals("time-budget")) {
            // 25 s at the simulated 10 s an epoch: the job is sized to 2 epochs before it trains.
            record(dir.resolve("pretrain-time-budget-" + version + ".json"), "replay-time-budget", 1, 25);
        }
        if (only == null || only.equals("time-budget-2shards")) {
            record(dir.resolve("pretrain-time-budget-2shards-" + version + ".json"), "replay-time-budget-2shards", 2, 25);
        }
        if (only == null || only.equals("service-cancel")) {
            recordServiceCancel(dir.resolve("pretrain-service-cancel-" + version + ".json"));
        }
        if (only == null || only.equals("retraining-pause")) {
            recordRetrainingPause(dir.resolve("pretrain-retraining-pause-" + version + ".json"));
        }
        if (only == null || only.equals("budget-behind")) {
            recordBehindBudget(dir.resolve("pretrain-budget-behind-" + version + ".json"));
        }
    }

    private static TestWorkflowEnvironment environment() {
        TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
        for (var key : DinojSearchAttributes.ALL) {
            env.registerSearchAttribute(key.getName(), switch (key.getValueType()) {
                case INDEXED_VALUE_TYPE_INT -> IndexedValueType.INDEXED_VALUE_TYPE_INT;
                case INDEXED_VALUE_TYPE_DOUBLE -> IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE;
                default -> IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
            });
        }
        return env;
    }

    /** What a recording does to a job once its one long round has trained past step 5. */
    private interface Scenario {
        void run(PretrainWorkflow workflow, SimulatedTraining training) throws Exception;
    }

    /** One shard, one long round of 400 steps at 20 ms a step: {@code scenario} acts on it mid-round. */
    private static void recordOneLongRound(Path file, String id, Scenario scenario) throws Exception {
        recordOneLongRound(file, PretrainWorkflowTest.spec(id, 1, 1, 400, 400, 100), scenario);
    }

    private static void recordOneLongRound(Path file, JobSpec spec, Scenario scenario) throws Exception {
        String id = spec.jobId();
        try (TestWorkflowEnvironment env = environment()) {
            SimulatedTraining training = new SimulatedTraining(20);
            PretrainWorkflow workflow = started(env, training, id);
            WorkflowClient.start(workflow::run, spec, null);
            awaitUntil(() -> training.currentStep() >= 5);
            scenario.run(workflow, training);
            Files.writeString(file, env.getWorkflowClient().fetchHistory(id).toJson(true));
        }
    }

    /** The environment started with a worker on {@code training}, and a stub for the job {@code id}. */
    private static PretrainWorkflow started(TestWorkflowEnvironment env, SimulatedTraining training, String id) {
        Worker worker = env.newWorker("test-training");
        worker.registerWorkflowImplementationTypes(PretrainWorkflowImpl.class);
        worker.registerActivitiesImplementations(training);
        env.start();
        return env.getWorkflowClient().newWorkflowStub(PretrainWorkflow.class,
                WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue("test-training").build());
    }

    /** Pause mid-round, resume, cancel mid-round. */
    private static void recordPauseResumeCancel(Path file) throws Exception {
        recordOneLongRound(file, "replay-pause-resume-cancel", (workflow, training) -> {
            workflow.pause();
            awaitUntil(() -> workflow.progress().status() == JobStatus.PAUSED);
            long pausedAt = workflow.progress().step();
            workflow.resume();
            awaitUntil(() -> training.currentStep() >= pausedAt + 5);
            workflow.cancel();
            JobResult result = WorkflowStub.fromTyped(workflow).getResult(60, TimeUnit.SECONDS, JobResult.class);
            if (result.status() != JobStatus.CANCELLED) {
                throw new IllegalStateException("expected a cancelled job, got " + result);
            }
        });
    }

    /** A retraining (its base another job's step 7000) paused in its first round, then resumed to its end. */
    private static void recordRetrainingPause(Path file) throws Exception {
        JobSpec plain = PretrainWorkflowTest.spec("replay-retraining-pause", 1, 1, 400, 400, 100);
        JobSpec retraining = new JobSpec(plain.jobId(), plain.jobName(), plain.config(), plain.configSummary(),
                plain.checkpointStore(), new CheckpointRef("file:///ckpt/base-job/shard-0/step-7000", "sha-base", 7000),
                1, 1, 400, 400, 2, 1, 100, plain.activities(), 0);
        recordOneLongRound(file, retraining, (workflow, training) -> {
            workflow.pause();
            awaitUntil(() -> workflow.progress().status() == JobStatus.PAUSED);
            workflow.resume();
            JobResult result = WorkflowStub.fromTyped(workflow).getResult(60, TimeUnit.SECONDS, JobResult.class);
            if (result.status() != JobStatus.COMPLETED || training.rounds().size() != 2) {
                throw new IllegalStateException("expected a job completed in two rounds, got " + result);
            }
        });
    }

    /** Sized to 20 epochs, but at 100 ms a step: shortened at round ends to end within its 12 s budget. */
    private static void recordBehindBudget(Path file) throws Exception {
        String id = "replay-budget-behind";
        try (TestWorkflowEnvironment env = environment()) {
            SimulatedTraining training = new SimulatedTraining(100);
            training.setSizedEpochs(20);
            PretrainWorkflow workflow = started(env, training, id);
            JobResult result = workflow.run(PretrainWorkflowScenarios.budgetedSpec("test-training", id, 1, 1, 4, 2, 100, 12),
                    null);
            if (training.recordedSpecs.size() < 2 || result.step() >= 80) {
                throw new IllegalStateException("expected a job shortened to its time budget, got " + result);
            }
            Files.writeString(file, env.getWorkflowClient().fetchHistory(id).toJson(true));
        }
    }

    /** Cancelled mid-round through Temporal, as the UI and the temporal CLI do. */
    private static void recordServiceCancel(Path file) throws Exception {
        recordOneLongRound(file, "replay-service-cancel", (workflow, training) -> {
            WorkflowStub stub = WorkflowStub.fromTyped(workflow);
            stub.cancel();
            try {
                stub.getResult(60, TimeUnit.SECONDS, JobResult.class);
                throw new IllegalStateException("a workflow cancelled in Temporal closed with a result");
            } catch (io.temporal.client.WorkflowFailedException closedAsCancelled) {
                // Every version: the SDK closes a workflow asked to cancel as cancelled, without a result.
            }
        });
    }

    private static void awaitUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("condition not reached in 60 s");
            }
            Thread.sleep(20);
        }
    }

    private static void record(Path file, String id, int shards, double budgetSeconds) throws Exception {
        try (TestWorkflowEnvironment env = environment()) {
            PretrainWorkflow workflow = started(env, new SimulatedTraining(0), id);
            workflow.run(PretrainWorkflowScenarios.budgetedSpec("test-training", id, shards, budgetSeconds > 0 ? 1 : 2, 6,
                    4, 100, budgetSeconds), null);
            Files.writeString(file, env.getWorkflowClient().fetchHistory(id).toJson(true));
        }
    }

    private RecordHistories() {
    }
}
