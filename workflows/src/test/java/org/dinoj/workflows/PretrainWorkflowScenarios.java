package org.dinoj.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.CanceledFailure;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The workflow scenarios that every Temporal server dinoj runs on must pass: Temporal's Java test
 * server ({@link PretrainWorkflowTest}) and the real Temporal dev server (the tests module). A
 * subclass provides the client and starts workers; each scenario has its own task queue, so
 * scenarios never share workers or tasks on a server that lives across tests.
 */
public abstract class PretrainWorkflowScenarios {
    protected SimulatedTraining training;
    private String queue;

    /** The client of the server under test. */
    protected abstract WorkflowClient client();

    /** Starts a worker polling {@code taskQueue} with {@link PretrainWorkflowImpl} and {@code activities}. */
    protected abstract void startWorker(String taskQueue, SimulatedTraining activities);

    @BeforeEach
    void nameTheQueue(TestInfo test) {
        queue = "scenario-" + test.getTestMethod().orElseThrow().getName();
    }

    private void worker(long millisPerStep) {
        training = new SimulatedTraining(millisPerStep);
        startWorker(queue, training);
    }

    /**
     * A job cut into rounds on {@code taskQueue}, a checkpoint every 2 steps, k-NN every epoch, and a
     * short heartbeat timeout so that pause and cancel reach the simulated round quickly.
     */
    public static JobSpec spec(String taskQueue, String id, int shards, int epochs, long stepsPerEpoch,
                               long stepsPerRound, int roundsPerRun) {
        return budgetedSpec(taskQueue, id, shards, epochs, stepsPerEpoch, stepsPerRound, roundsPerRun, 0);
    }

    static JobSpec budgetedSpec(String taskQueue, String id, int shards, int epochs, long stepsPerEpoch,
                                        long stepsPerRound, int roundsPerRun, double timeBudgetSeconds) {
        ActivitySettings activities = new ActivitySettings(taskQueue, Duration.ofSeconds(1), Duration.ofMinutes(5), 3);
        return new JobSpec(id, "test " + id, "model: tiny", "tiny test", "file:///ckpt/" + id, null, shards, epochs,
                stepsPerEpoch, stepsPerRound, 2, 1, roundsPerRun, activities, timeBudgetSeconds);
    }

    private JobSpec scenarioSpec(String id, int shards, int epochs, long stepsPerEpoch, long stepsPerRound,
                                 int roundsPerRun) {
        return spec(queue, id, shards, epochs, stepsPerEpoch, stepsPerRound, roundsPerRun);
    }

    private PretrainWorkflow stub(String id) {
        return client().newWorkflowStub(PretrainWorkflow.class,
                WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(queue).build());
    }

    @Test
    void singleShardJobRunsRoundsBackToBackAndEvaluatesEveryEpoch() {
        worker(0);
        JobSpec spec = scenarioSpec("single", 1, 2, 10, 4, 100);
        JobResult result = stub("single").run(spec, null);

        assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(result.step()).isEqualTo(20);
        // Rounds end at global multiples of 4 and at epoch ends (10, 20).
        assertThat(training.rounds).extracting(TrainRoundRequest::endStep).containsExactly(4L, 8L, 10L, 12L, 16L, 20L);
        // Each round starts where the previous one ended; the first from scratch.
        assertThat(training.rounds.getFirst().startFrom()).isNull();
        for (int i = 1; i < training.rounds.size(); i++) {
            assertThat(training.rounds.get(i).startFrom().step()).isEqualTo(training.rounds.get(i - 1).endStep());
        }
        assertThat(training.merges).isEmpty();
        assertThat(training.evaluations).extracting(EvaluateRequest::epoch).containsExactly(1, 2);
        assertThat(result.lastEval().top1()).isEqualTo(52);
        assertThat(result.lastMetrics().loss()).isEqualTo(SimulatedTraining.lossAt(20));
        assertThat(result.finalCheckpoint().step()).isEqualTo(20);
        // The memo, as the Temporal UI shows it, holds the job's last state.
        var described = client().newUntypedWorkflowStub("single").describe();
        assertThat(described.getMemo("job", String.class)).isEqualTo(spec.jobName());
        assertThat(described.getMemo("status", String.class)).isEqualTo("COMPLETED");
        assertThat(described.getMemo("epoch", String.class)).isEqualTo("2/2");
        assertThat(described.getMemo("step", String.class)).isEqualTo("20/20");
        assertThat(described.getMemo("loss", Double.class)).isEqualTo(Math.round(SimulatedTraining.lossAt(20) * 1e4) / 1e4);
        assertThat(described.getMemo("knn_top1", Double.class)).isEqualTo(52.0);
        assertThat(described.getMemo("knn_epoch", Integer.class)).isEqualTo(2);
        // Refused steps add up over the rounds (steps 7 and 14 of 20) and show in the memo and the progress line.
        assertThat(described.getMemo("refused_steps", Integer.class)).isEqualTo(2);
        Progress progress = client().newWorkflowStub(PretrainWorkflow.class, "single").progress();
        assertThat(progress.refusedSteps()).isEqualTo(2);
        assertThat(progress.summary()).contains("lr 0.00100, 100.0 img/s, 2 non-finite steps refused, k-NN");
    }

    @Test
    void severalShardsTrainInParallelAndMergeEveryRound() {
        worker(0);
        JobResult result = stub("multi").run(scenarioSpec("multi", 3, 1, 8, 4, 100), null);

        assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(training.rounds).hasSize(6);
        assertThat(training.rounds).extracting(TrainRoundRequest::shard).containsExactlyInAnyOrder(0, 0, 1, 1, 2, 2);
        assertThat(training.merges).hasSize(2);
        assertThat(training.merges.getFirst().shardCheckpoints()).extracting(CheckpointRef::step).containsOnly(4L);
        // The second round of every shard starts from the merged global checkpoint.
        assertThat(training.rounds.stream().filter(r -> r.endStep() == 8).map(r -> r.startFrom().uri()))
                .containsOnly("file:///ckpt/multi/global/step-4");
        assertThat(result.finalCheckpoint().uri()).isEqualTo("file:///ckpt/multi/global/step-8");
    }

    /** A restart from the registry (JobService.resumeState): each shard goes on from its own checkpoint of the round. */
    @Test
    void aCarriedStateWithShardResumePointsFinishesThatRoundFromThemAndMergesIntoItsCheckpoint() {
        worker(0);
        CheckpointRef global = new CheckpointRef("file:///ckpt/restarted/global/step-4", "sha-global-4", 4);
        JobState carried = new JobState(4, global, 8, java.util.Arrays.asList(
                SimulatedTraining.checkpoint("restarted", 0, 6), null, SimulatedTraining.checkpoint("restarted", 2, 7)),
                0, 0, null, null, false, -1, 0, null, null);
        JobResult result = stub("restarted").run(scenarioSpec("restarted", 3, 1, 8, 4, 100), carried);

        assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(result.step()).isEqualTo(8);
        assertThat(training.rounds).hasSize(3).allSatisfy(r -> assertThat(r.endStep()).isEqualTo(8));
        assertThat(training.rounds.stream().sorted(java.util.Comparator.comparingInt(TrainRoundRequest::shard))
                .map(r -> r.startFrom().step())).containsExactly(6L, 4L, 7L);
        assertThat(training.merges).singleElement().satisfies(m -> assertThat(m.global()).isEqualTo(global));
    }

    /** The same before the first merge: no global checkpoint yet, so the merge finds its base itself. */
    @Test
    void aCarriedStateWithShardResumePointsInTheFirstRoundMergesIntoTheInitialWeights() {
        worker(0);
        JobState carried = new JobState(0, null, 4, java.util.Arrays.asList(
                null, SimulatedTraining.checkpoint("first", 1, 3)), 0, 0, null, null, false, -1, 0, null, null);
        JobResult result = stub("first").run(scenarioSpec("first", 2, 1, 8, 4, 100), carried);

        assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(result.step()).isEqualTo(8);
        List<TrainRoundRequest> first = training.rounds.stream().filter(r -> r.endStep() == 4).toList();
        assertThat(first).hasSize(2);
        assertThat(first.stream().filter(r -> r.shard() == 0).findFirst().orElseThrow().startFrom()).isNull();
        assertThat(first.stream().filter(r -> r.shard() == 1).findFirst().orElseThrow().startFrom().step()).isEqualTo(3);
        assertThat(training.merges.getFirst().global()).isNull();
        assertThat(training.merges.getFirst().shardCheckpoints()).extracting(CheckpointRef::step).containsOnly(4L);
    }

    /** A shard killed after its round's last checkpoint and before the merge resumes at the end and trains no step. */
    @Test
    void aShardThatResumesAtItsRoundsEndLeavesTheJobsLossAndRateToTheShardsThatTrained() {
        worker(0);
        CheckpointRef global = new CheckpointRef("file:///ckpt/idle/global/step-4", "sha-global-4", 4);
        JobState carried = new JobState(4, global, 8, java.util.Arrays.asList(
                null, SimulatedTraining.checkpoint("idle", 1, 8), null), 0, 0, null, null, false, -1, 0, null, null);
        JobResult result = stub("idle").run(scenarioSpec("idle", 3, 1, 8, 4, 100), carried);

        assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(training.rounds.stream().filter(r -> r.shard() == 1).map(r -> r.startFrom().step())).containsExactly(8L);
        assertThat(result.lastMetrics().loss()).isEqualTo(SimulatedTraining.lossAt(8));
        // Two shards trained at 100 img/s each; the idle one is counted at their rate, not at 0.
        assertThat(result.lastMetrics().imagesPerSecond()).isEqualTo(300);
        assertThat(client().newUntypedWorkflowStub("idle").describe().getMemo("loss", Double.class))
                .isEqualTo(Math.round(SimulatedTraining.lossAt(8) * 1e4) / 1e4);
    }

    @Test
    void continuesAsNewAndCarriesProgress() {
        worker(0);
        PretrainWorkflow workflow = stub("can");
        JobResult result = workflow.run(scenarioSpec("can", 1, 3, 4, 2, 2), null);

        assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(result.step()).isEqualTo(12);
        assertThat(training.rounds).hasSize(6);
        assertThat(training.evaluations).extracting(EvaluateRequest::epoch).containsExactly(1, 2, 3);
        // Two rounds per run: the last run was started by continue-as-new, carrying the counters.
        var started = client().fetchHistory("can").getEvents().getFirst().getWorkflowExecutionStartedEventAttributes();
        assertThat(started.getContinuedExecutionRunId()).isNotEmpty();
        assertThat(started.getInput().getPayloadsCount()).isEqualTo(2);
    }

    @Test
    void pauseCheckpointsAndWaitsThenResumeFinishesTheJob() throws Exception {
        PretrainWorkflow workflow = startOneRound("pause", 200, 5);

        workflow.pause();
        Progress paused = awaitStatus(workflow, JobStatus.PAUSED);
        assertThat(paused.step()).isGreaterThan(0).isLessThan(200);
        assertThat(paused.lastCheckpoint().step()).isEqualTo(paused.step());
        int roundsBefore = training.rounds.size();

        workflow.resume();
        JobResult result = WorkflowStub.fromTyped(workflow).getResult(30, TimeUnit.SECONDS, JobResult.class);
        assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(result.step()).isEqualTo(200);
        TrainRoundRequest resumed = training.rounds.get(roundsBefore);
        assertThat(resumed.startFrom().step()).isEqualTo(paused.step());
    }

    /** Until its first round ends a retraining's checkpoint is its base, at another job's step. */
    @Test
    void aRetrainingPausedInItsFirstRoundGoesOnFromItsPauseCheckpointNotFromTheBase() throws Exception {
        worker(20);
        CheckpointRef base = new CheckpointRef("file:///ckpt/base-job/shard-0/step-7000", "sha-base", 7000);
        JobSpec plain = scenarioSpec("retrain-pause", 1, 1, 200, 200, 100);
        JobSpec spec = new JobSpec(plain.jobId(), plain.jobName(), plain.config(), plain.configSummary(),
                plain.checkpointStore(), base, 1, 1, 200, 200, 2, 1, 100, plain.activities(), 0);
        PretrainWorkflow workflow = stub("retrain-pause");
        WorkflowClient.start(workflow::run, spec, null);
        awaitStep(workflow, 5);

        workflow.pause();
        Progress paused = awaitStatus(workflow, JobStatus.PAUSED);
        assertThat(paused.step()).isGreaterThan(0).isLessThan(200);
        assertThat(paused.lastCheckpoint().uri()).startsWith("file:///ckpt/retrain-pause/shard-0/");
        assertThat(paused.lastCheckpoint().step()).isEqualTo(paused.step());

        workflow.resume();
        JobResult result = WorkflowStub.fromTyped(workflow).getResult(30, TimeUnit.SECONDS, JobResult.class);
        assertThat(result.step()).isEqualTo(200);
        assertThat(training.rounds).hasSize(2);
        assertThat(training.rounds.getFirst().startFrom()).isEqualTo(base);
        assertThat(training.rounds.get(1).startFrom()).isEqualTo(paused.lastCheckpoint());
    }

    @Test
    void cancelCheckpointsAndEndsCancelled() throws Exception {
        PretrainWorkflow workflow = startOneRound("cancel", 500, 3);

        workflow.cancel();
        JobResult result = WorkflowStub.fromTyped(workflow).getResult(30, TimeUnit.SECONDS, JobResult.class);
        assertThat(result.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(result.step()).isBetween(3L, 499L);
        assertThat(result.finalCheckpoint().step()).isEqualTo(result.step());
        assertThat(training.evaluations).isEmpty();
    }

    /**
     * What the Temporal UI's "Request Cancellation" and {@code temporal workflow cancel} send. The
     * workflow closes as cancelled, without a result (the SDK's rule); its query and memo show where
     * the job stopped.
     */
    @Test
    void aCancelInTemporalItselfRecordsTheInterruptedRoundsCheckpoint() throws Exception {
        PretrainWorkflow workflow = startOneRound("temporal-cancel", 500, 3);

        Progress after = cancelInTemporal(workflow);
        assertThat(after.step()).isBetween(3L, 499L);
        // The cancelled round's own checkpoint, not the start of the round: nothing trained is lost.
        assertThat(after.lastCheckpoint().step()).isEqualTo(after.step());
        assertThat(training.evaluations).isEmpty();
        var memo = client().fetchHistory("temporal-cancel").getEvents().stream()
                .filter(e -> e.hasWorkflowPropertiesModifiedEventAttributes()).reduce((a, b) -> b).orElseThrow()
                .getWorkflowPropertiesModifiedEventAttributes().getUpsertedMemo().getFieldsMap();
        assertThat(memo.get("status").getData().toStringUtf8()).isEqualTo("\"CANCELLED\"");
        assertThat(memo.get("step").getData().toStringUtf8()).isEqualTo("\"" + after.step() + "/500\"");
    }

    @Test
    void aCancelInTemporalClosesTheJobEvenWhenNoWorkerCanSayWhereTheRoundStopped() throws Exception {
        PretrainWorkflow workflow = startOneRound("temporal-cancel-unanswered", 500, 3);
        training.setLatestCheckpointFails(true);

        Progress after = cancelInTemporal(workflow);
        // Where the job stood before the round: the round's own checkpoint could not be named.
        assertThat(after.step()).isZero();
    }

    @Test
    void twoShardsCancelledInTemporalStayAtTheirLastMergedStep() throws Exception {
        PretrainWorkflow workflow = startOneRound("temporal-cancel-2shards", 2, 500, 3);

        Progress after = cancelInTemporal(workflow);
        // Shards' checkpoints are not the job's until merged: the job stays at its last global step.
        assertThat(after.step()).isZero();
        assertThat(training.merges).isEmpty();
    }

    @Test
    void aPausedJobCancelledInTemporalStaysAtItsPauseCheckpoint() throws Exception {
        PretrainWorkflow workflow = startOneRound("paused-temporal-cancel", 500, 3);
        workflow.pause();
        Progress paused = awaitStatus(workflow, JobStatus.PAUSED);

        Progress after = cancelInTemporal(workflow);
        assertThat(after.step()).isEqualTo(paused.step());
        assertThat(after.lastCheckpoint()).isEqualTo(paused.lastCheckpoint());
    }

    @Test
    void setEpochsExtendsTheJobAndRefusesShrinkingBelowDoneWork() throws Exception {
        worker(20);
        PretrainWorkflow workflow = stub("epochs");
        WorkflowClient.start(workflow::run, scenarioSpec("epochs", 1, 1, 40, 10, 100), null);
        awaitStep(workflow, 10);

        assertThatThrownBy(() -> workflow.setEpochs(0)).isInstanceOf(WorkflowUpdateException.class);
        assertThat(workflow.setEpochs(2)).isEqualTo(2);
        JobResult result = WorkflowStub.fromTyped(workflow).getResult(30, TimeUnit.SECONDS, JobResult.class);
        assertThat(result.step()).isEqualTo(80);
        assertThat(training.evaluations).extracting(EvaluateRequest::epoch).containsExactly(1, 2);
        // Rounds tell the trainer the job's length, so its schedules follow the update: the rounds
        // started before it carry 1 epoch, every later one 2, and the last one ends the job.
        assertThat(training.rounds.getFirst().epochs()).isEqualTo(1);
        assertThat(training.rounds.getLast().epochs()).isEqualTo(2);
        assertThat(training.rounds).extracting(TrainRoundRequest::epochs).containsSubsequence(1, 2)
                .allMatch(e -> e == 1 || e == 2);
        assertThat(training.rounds.stream().dropWhile(r -> r.epochs() == 1)).allMatch(r -> r.epochs() == 2);
    }

    @Test
    void aTimeBudgetSizesTheJobOnceOnAWorkerBeforeItTrains() {
        worker(0);
        // Configured for 1 epoch; 35 s at the simulated 10 s an epoch hold 3. Two rounds a run, so
        // the job continues as new several times: it must not size itself again.
        JobSpec budgeted = budgetedSpec(queue, "budget", 1, 1, 4, 2, 2, 35);
        JobResult result = stub("budget").run(budgeted, null);

        assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(result.step()).isEqualTo(12);
        assertThat(training.sizings).hasSize(1);
        // The budget counts from the workflow's start: the sizing gets it less the seconds since.
        assertThat(training.sizings.getFirst().secondsLeft()).isBetween(30.0, 35.0);
        assertThat(training.rounds).extracting(TrainRoundRequest::epochs).containsOnly(3);
        assertThat(training.evaluations).extracting(EvaluateRequest::epoch).containsExactly(1, 2, 3);
        // The registry gets the sized spec, with no budget left to size after a restart.
        assertThat(training.recordedSpecs).singleElement().satisfies(recorded -> {
            assertThat(recorded.epochs()).isEqualTo(3);
            assertThat(recorded.timeBudgetSeconds()).isZero();
            assertThat(recorded.configSummary()).isEqualTo("tiny test");
        });
        String schedule = "simulated: 3 epochs of 10.0 s";
        assertThat(training.recordedSchedules).containsExactly(schedule);
        assertThat(client().newUntypedWorkflowStub("budget").describe().getMemo("schedule", String.class))
                .isEqualTo(schedule);
        Progress progress = client().newWorkflowStub(PretrainWorkflow.class, "budget").progress();
        assertThat(progress.schedule()).isEqualTo(schedule);
        assertThat(progress.epochs()).isEqualTo(3);
    }

    /** Two shards: sized once, both train every round to the sized length, and their rounds merge. */
    @Test
    void aTimeBudgetSizesAJobOfTwoShardsOnce() {
        worker(0);
        JobResult result = stub("budget-2").run(budgetedSpec(queue, "budget-2", 2, 1, 4, 2, 100, 35), null);

        assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(result.step()).isEqualTo(12);
        assertThat(training.sizings).hasSize(1);
        assertThat(training.rounds).extracting(TrainRoundRequest::shard).containsOnly(0, 1);
        assertThat(training.rounds).extracting(TrainRoundRequest::epochs).containsOnly(3);
        assertThat(training.merges).hasSize(6);
    }

    /** A registry record written before the sizing: sized now, the job's schedules would jump mid-way. */
    @Test
    void aJobThatTrainedKeepsItsLengthWhenItsBudgetWasNeverSized() {
        worker(0);
        JobSpec budgeted = budgetedSpec(queue, "trained-budget", 1, 2, 4, 2, 100, 35);
        JobState carried = new JobState(4, SimulatedTraining.checkpoint("trained-budget", 0, 4), 0, List.of(), 2, 1,
                null, null, false, -1, 0, null, null);
        JobResult result = stub("trained-budget").run(budgeted, carried);

        assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(result.step()).isEqualTo(8);
        assertThat(training.sizings).isEmpty();
        assertThat(training.rounds).extracting(TrainRoundRequest::epochs).containsOnly(2);
        assertThat(training.rounds.getFirst().startFrom().step()).isEqualTo(4);
    }

    @Test
    void aLengthChangeWhileTheBudgetIsSizedIsRefusedAsAStateNotABadLength() throws Exception {
        worker(0);
        training.setSizingMillis(3000);
        PretrainWorkflow workflow = stub("sizing");
        WorkflowClient.start(workflow::run, budgetedSpec(queue, "sizing", 1, 1, 4, 2, 2, 35), null);
        awaitProgress(workflow, p -> !training.sizings.isEmpty());

        assertThatThrownBy(() -> workflow.setEpochs(5)).isInstanceOf(WorkflowUpdateException.class)
                .cause().isInstanceOfSatisfying(io.temporal.failure.ApplicationFailure.class, f -> {
                    assertThat(f.getType()).isEqualTo(IllegalStateException.class.getName());
                    assertThat(f.getOriginalMessage()).isEqualTo("job 'sizing' is still sizing its length to its time"
                            + " budget; change it once it trains");
                });
        // A bad length is the other type.
        assertThatThrownBy(() -> workflow.setEpochs(0)).cause().isInstanceOfSatisfying(
                io.temporal.failure.ApplicationFailure.class,
                f -> assertThat(f.getType()).isEqualTo(IllegalArgumentException.class.getName()));
        JobResult result = WorkflowStub.fromTyped(workflow).getResult(30, TimeUnit.SECONDS, JobResult.class);
        assertThat(result.step()).isEqualTo(12);
    }

    /**
     * The sizing promised 20 epochs, but steps take 100 ms: 80 steps would end past the 12 s budget
     * less the command's closing, so after three timed rounds the job is shortened to what still fits.
     */
    @Test
    void aJobSlowerThanItsSizingIsShortenedToEndWithinItsTimeBudget() {
        worker(100);
        training.setSizedEpochs(20);
        long started = System.nanoTime();
        java.time.Instant submitted = java.time.Instant.now();
        JobResult result = stub("behind").run(budgetedSpec(queue, "behind", 1, 1, 4, 2, 4, 12), null);
        double seconds = (System.nanoTime() - started) * 1e-9;

        assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(seconds).isLessThan(12 - BudgetDeadline.CLOSING_SECONDS + 1);
        assertThat(result.step()).isLessThan(80).isGreaterThanOrEqualTo(4).isEqualTo(result.step() / 4 * 4);
        int epochs = (int) (result.step() / 4);
        // Sized, then shortened as the pace showed: the registry holds each length, the schedule the latest reason.
        List<Integer> lengths = training.recordedSpecs.stream().map(JobSpec::epochs).toList();
        assertThat(lengths).hasSizeGreaterThan(1).startsWith(20).endsWith(epochs).isSortedAccordingTo(Comparator.reverseOrder())
                .doesNotHaveDuplicates();
        assertThat(training.recordedSchedules.getLast()).startsWith("simulated: 20 epochs; at step ")
                .containsPattern("its rounds took 0\\.[0-9]{3} s a step and a k-NN evaluation [0-9.]+ s, slower than"
                        + " measured, so it was shortened"
                        + " to " + epochs + " epochs \\(" + result.step() + " steps\\) to end within its time budget$");
        // The rounds after it carry the new length, so the trainer's schedules end with the job.
        assertThat(training.rounds.getLast().epochs()).isEqualTo(epochs);
        assertThat(training.rounds.getFirst().epochs()).isEqualTo(20);
        assertThat(training.evaluations.getLast().epoch()).isEqualTo(epochs);
        // The UI's memo says when the job is due: its start plus the 12 s budget.
        String endsBy = (String) client().newUntypedWorkflowStub("behind").describe().getMemo("ends_by", String.class);
        assertThat(java.time.Instant.parse(endsBy)).isBetween(submitted.plusSeconds(10), submitted.plusSeconds(14));
        Progress progress = client().newWorkflowStub(PretrainWorkflow.class, "behind").progress();
        assertThat(progress.epochs()).isEqualTo(epochs);
        assertThat(progress.schedule()).isEqualTo(training.recordedSchedules.getLast());
    }

    /** A shortening the registry cannot record (a full disk) is tried three times, and the job trains on to its end. */
    @Test
    void aShorteningTheRegistryCannotRecordDoesNotStopTheJob() {
        worker(100);
        training.setSizedEpochs(20);
        training.setRecordsBeforeFailing(1); // the sizing's record only
        JobResult result = stub("unrecorded").run(budgetedSpec(queue, "unrecorded", 1, 1, 4, 2, 100, 8), null);

        assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(result.step()).isLessThan(80);
        assertThat(training.recordedSpecs).extracting(JobSpec::epochs).containsExactly(20);
        // Three attempts for each shortening, after the sizing's one.
        assertThat((training.recordAttempts.get() - 1) % 3).isZero();
        assertThat(training.recordAttempts.get()).isGreaterThan(1);
    }

    /** Paused before its first round, the job waits for a person: it keeps its 5 epochs past its 4 s budget. */
    @Test
    void aPausedJobNoLongerKeepsToItsTimeBudget() throws Exception {
        worker(20);
        training.setSizedEpochs(5);
        training.setSizingMillis(1000);
        PretrainWorkflow workflow = stub("paused-budget");
        WorkflowClient.start(workflow::run, budgetedSpec(queue, "paused-budget", 1, 1, 4, 2, 100, 4), null);
        awaitProgress(workflow, p -> !training.sizings.isEmpty());
        workflow.pause();
        awaitProgress(workflow, p -> p.status() == JobStatus.PAUSED);
        workflow.resume();
        JobResult result = WorkflowStub.fromTyped(workflow).getResult(60, TimeUnit.SECONDS, JobResult.class);

        // Still kept to the deadline, past it after the pause, it would have been cut to its shortest.
        assertThat(result.step()).isEqualTo(20);
        assertThat(training.recordedSpecs).extracting(JobSpec::epochs).containsExactly(5);
        assertThat(training.rounds).extracting(TrainRoundRequest::epochs).containsOnly(5);
    }

    /** A length set by a person is kept, though the 3 s budget has long passed when the job reaches it. */
    @Test
    void aLengthSetByAPersonIsKeptOverTheTimeBudget() throws Exception {
        worker(300);
        training.setSizedEpochs(20);
        PretrainWorkflow workflow = stub("set-over-budget");
        WorkflowClient.start(workflow::run, budgetedSpec(queue, "set-over-budget", 1, 1, 4, 2, 100, 3), null);
        awaitStep(workflow, 2);
        assertThat(workflow.setEpochs(3)).isEqualTo(3);
        JobResult result = WorkflowStub.fromTyped(workflow).getResult(60, TimeUnit.SECONDS, JobResult.class);

        assertThat(result.step()).isEqualTo(12);
        assertThat(training.recordedSpecs).extracting(JobSpec::epochs).containsExactly(20);
        assertThat(training.rounds.getLast().epochs()).isEqualTo(3);
        assertThat(workflow.progress().schedule()).isEqualTo("simulated: 20 epochs; set to 3 epochs with set-epochs, so it"
                + " no longer keeps to its time budget");
    }

    @Test
    void aTimeBudgetTooShortForOneEpochFailsTheJobWithTheSizingsSentence() {
        worker(0);
        PretrainWorkflow workflow = stub("short-budget");
        assertThatThrownBy(() -> workflow.run(budgetedSpec(queue, "short-budget", 1, 5, 4, 2, 2, 5), null))
                .isInstanceOf(io.temporal.client.WorkflowFailedException.class)
                .rootCause().hasMessageContaining("the time budget leaves").hasMessageContaining("one epoch takes 10.0 s");
        assertThat(training.rounds).isEmpty();
        assertThat(training.recordedSpecs).isEmpty();
    }

    /** Starts a one-shard job of one round of {@code steps} steps (20 ms each); returns once it trained past {@code pastStep}. */
    private PretrainWorkflow startOneRound(String id, long steps, long pastStep) throws InterruptedException {
        return startOneRound(id, 1, steps, pastStep);
    }

    private PretrainWorkflow startOneRound(String id, int shards, long steps, long pastStep) throws InterruptedException {
        worker(20);
        PretrainWorkflow workflow = stub(id);
        WorkflowClient.start(workflow::run, scenarioSpec(id, shards, 1, steps, steps, 100), null);
        awaitStep(workflow, pastStep);
        return workflow;
    }

    /**
     * Cancels the workflow as Temporal's UI does; checks that it closed as cancelled, showing
     * CANCELLED, and returns its last progress.
     */
    private static Progress cancelInTemporal(PretrainWorkflow workflow) {
        WorkflowStub.fromTyped(workflow).cancel();
        assertThatThrownBy(() -> WorkflowStub.fromTyped(workflow).getResult(30, TimeUnit.SECONDS, JobResult.class))
                .isInstanceOf(WorkflowFailedException.class).hasCauseInstanceOf(CanceledFailure.class);
        Progress after = workflow.progress();
        assertThat(after.status()).isEqualTo(JobStatus.CANCELLED);
        return after;
    }

    /** Waits until the simulated round has trained past {@code step}. */
    private void awaitStep(PretrainWorkflow workflow, long step) throws InterruptedException {
        awaitProgress(workflow, p -> training.currentStep() >= step);
    }

    private Progress awaitStatus(PretrainWorkflow workflow, JobStatus status) throws InterruptedException {
        return awaitProgress(workflow, p -> p.status() == status);
    }

    private Progress awaitProgress(PretrainWorkflow workflow, java.util.function.Predicate<Progress> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Progress p = workflow.progress();
            if (condition.test(p)) {
                return p;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("condition not reached in 30 s; last progress " + workflow.progress());
    }
}
