package org.dinoj.workflows;

import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;

/**
 * The job as a loop over rounds. Deterministic: no I/O, no clocks but Workflow's, no native code;
 * everything heavy happens in {@link TrainingActivities}.
 */
public final class PretrainWorkflowImpl implements PretrainWorkflow {
    private static final Logger log = Workflow.getLogger(PretrainWorkflowImpl.class);
    /**
     * Version 1: a pause or cancel reaches the running round through the published status
     * ({@link RoundStopRequests}) instead of a cancellation of its activities, which raced with the
     * round's completion and hung the job on the embedded server. Default: the old cancellation.
     */
    static final String STOP_ROUNDS_BY_STATUS = "stop-rounds-by-status";
    /**
     * Version 1: the memo shows job, status, epoch, step, loss, k-NN and refused steps (histories
     * before it have none). The memo is written when its content changes, so a change to what it
     * holds changes the commands a replay expects: it needs a new version.
     */
    static final String PROGRESS_MEMO = "progress-memo";
    /**
     * Version 1: a cancel requested in Temporal itself (the UI's "Request Cancellation", {@code temporal
     * workflow cancel}) ends the job's state as dinoj's cancel does before the workflow closes as
     * cancelled: status CANCELLED, at the checkpoint the interrupted round wrote, in the query, the
     * search attributes and the memo. Default: they kept showing the job running a round before.
     */
    static final String TEMPORAL_CANCEL_RECORDS_STOP = "temporal-cancel-records-stop";
    /**
     * Version 1: a pause or cancel in a retraining's first round keeps the steps it trained. Its
     * checkpoint was the base's, another job's, and the shards' own checkpoints were compared with
     * that job's step, so the next round went back to the base. Default: that comparison.
     */
    static final String RETRAINING_PAUSE_KEEPS_ITS_STEPS = "retraining-pause-keeps-its-steps";
    /**
     * Version 1: a shard whose round trained no step (it resumed at the round's end, e.g. killed
     * after its last checkpoint and before the merge) has no loss and no rate: the round's metrics
     * come from the shards that trained, or stay the previous round's when none did. Default: its
     * NaN loss made the job's loss NaN (the UI then showed none) and its 0 img/s lowered the rate.
     */
    static final String IDLE_SHARDS_KEEP_METRICS = "idle-shards-keep-metrics";
    /**
     * Version 1: a job sized to a time budget keeps to its deadline ({@link BudgetDeadline}): a machine
     * slower than measured shortens it at a round's end. Default: it kept the sized length however
     * long that took.
     */
    static final String BUDGET_DEADLINE = "budget-deadline";
    /** How long a cancel from Temporal waits for a worker to name the interrupted round's checkpoint. */
    private static final Duration CANCEL_LOOK_TIMEOUT = Duration.ofMinutes(1);

    /** What the memo showed last, so that an unchanged state writes no new event. */
    private Map<String, Object> memo = Map.of();

    private JobSpec spec;
    private JobState state;
    private JobStatus status = JobStatus.RUNNING;
    private boolean pauseRequested;
    private boolean cancelRequested;
    private CancellationScope roundScope;
    /** The end step of the round under way (training or merging), -1 between rounds. */
    private long roundInFlightEnd = -1;

    /**
     * Sets the state before any signal handler runs: a resume (or pause) signalled together with the
     * start of a paused job must act on the carried state, not be overwritten by it.
     */
    @WorkflowInit
    public PretrainWorkflowImpl(JobSpec jobSpec, JobState carried) {
        spec = jobSpec;
        state = carried != null ? carried : JobState.start(jobSpec);
        pauseRequested = state.paused();
    }

    @Override
    public JobResult run(JobSpec jobSpec, JobState carried) {
        TrainingActivities shortWork = Workflow.newActivityStub(TrainingActivities.class, shortOptions());
        try {
            return train(shortWork);
        } catch (TemporalFailure e) {
            if (!CancellationScope.current().isCancelRequested()) {
                throw e;
            }
            recordCancelInTemporal();
            throw e;
        }
    }

    private JobResult train(TrainingActivities shortWork) {
        publish();
        if (spec.timeBudgetSeconds() > 0) {
            if (state.step() == 0) {
                sizeToBudget();
            } else {
                // Resized mid-way, its schedules would jump; a job that trained keeps the length it has.
                log.warn("job {} resumes at step {} with a time budget not yet sized; it keeps {} epochs",
                        spec.jobId(), state.step(), spec.epochs());
                spec = spec.sizedTo(spec.epochs());
            }
        }

        int roundsThisRun = 0;
        while (state.step() < spec.totalSteps()) {
            if (pauseRequested && !cancelRequested) {
                status = JobStatus.PAUSED;
                if (state.deadline() != null) {
                    // A paused job waits for a person: its budget no longer tells when it ends.
                    state = state.withDeadline(null);
                    log.info("job {} paused: it keeps its {} epochs and no longer keeps to its time budget",
                            spec.jobId(), spec.epochs());
                }
                publish();
                Workflow.await(() -> !pauseRequested || cancelRequested);
            }
            if (cancelRequested) {
                break;
            }
            if (status != JobStatus.RUNNING) {
                status = JobStatus.RUNNING;
                if (roundsStopByStatus()) {
                    // The next round reads the status: a PAUSING left from before would stop it at once.
                    publish();
                }
            }
            if (!runRound(shortWork)) {
                continue;
            }
            maybeEvaluate(false);
            keepToDeadline();
            roundsThisRun++;
            boolean more = state.step() < spec.totalSteps();
            if (more && !cancelRequested
                    && (roundsThisRun >= spec.roundsPerRun() || Workflow.getInfo().isContinueAsNewSuggested())) {
                // Signals and updates that arrived are applied to state before it is carried over.
                Workflow.await(Workflow::isEveryHandlerFinished);
                state = state.withPaused(pauseRequested);
                Workflow.continueAsNew(spec, state);
            }
        }
        if (!cancelRequested) {
            maybeEvaluate(true);
        }
        status = cancelRequested ? JobStatus.CANCELLED : JobStatus.COMPLETED;
        publish();
        Workflow.await(Workflow::isEveryHandlerFinished);
        return new JobResult(spec.jobId(), status, state.step(), state.checkpoint(), state.lastEval(), state.lastMetrics());
    }

    /**
     * The workflow was cancelled in Temporal itself: its activities were cancelled with it, and a
     * cancelled round checkpoints before it stops. Records where the job stopped, in a scope the
     * cancellation does not reach so that the activity asking for that checkpoint can run. The SDK
     * closes a workflow that was asked to cancel as cancelled, without a result, however it ends.
     */
    private void recordCancelInTemporal() {
        Workflow.newDetachedCancellationScope(() -> {
            if (Workflow.getVersion(TEMPORAL_CANCEL_RECORDS_STOP, Workflow.DEFAULT_VERSION, 1) < 1) {
                return;
            }
            cancelRequested = true;
            if (roundInFlightEnd >= 0) {
                // Bounded: people also cancel a job whose workers are gone, and that must still close.
                TrainingActivities lastLook = Workflow.newActivityStub(TrainingActivities.class,
                        ActivityOptions.newBuilder(shortOptions())
                                .setStartToCloseTimeout(CANCEL_LOOK_TIMEOUT)
                                .setScheduleToCloseTimeout(CANCEL_LOOK_TIMEOUT)
                                .setRetryOptions(RetryOptions.newBuilder(retry(spec.activities()))
                                        .setMaximumAttempts(3).build())
                                .build());
                try {
                    recordInterruption(lastLook, roundInFlightEnd, 0);
                } catch (ActivityFailure unanswered) {
                    log.warn("job {}: no worker said where the cancelled round stopped ({}); the job shows step {}",
                            spec.jobId(), unanswered.getMessage(), state.step());
                }
            }
            status = JobStatus.CANCELLED;
            publish();
            log.info("job {} was cancelled in Temporal at step {}", spec.jobId(), state.step());
        }).run();
    }

    /**
     * Sets the job's length to what its time budget holds, as measured by a worker, and records it in
     * the registry; the budget counts from this workflow's start. The spec carried on has no budget
     * left, so continue-as-new and a restart from the registry keep the length. Histories recorded
     * before time budgets had none, so they replay without this step.
     */
    private void sizeToBudget() {
        double budgetSeconds = spec.timeBudgetSeconds();
        double spent = (Workflow.currentTimeMillis() - Workflow.getInfo().getRunStartedTimestampMillis()) / 1000.0;
        SizedSchedule sized = labelled("time this machine to size the job to its time budget").sizeSchedule(new SizeScheduleRequest(spec.jobId(), spec.config(),
                spec.checkpointStore(), spec.timeBudgetSeconds() - spent));
        spec = spec.sizedTo(sized.epochs());
        state = state.withSchedule(sized.description());
        if (Workflow.getVersion(BUDGET_DEADLINE, Workflow.DEFAULT_VERSION, 1) >= 1) {
            long deadline = Workflow.getInfo().getRunStartedTimestampMillis() + Math.round(budgetSeconds * 1000);
            state = state.withDeadline(BudgetDeadline.of(deadline, sized));
        }
        registryActivities().recordSpec(spec, state.schedule());
        log.info("job {} sized to its time budget: {}", spec.jobId(), state.schedule());
        publish();
    }

    private JobRegistryActivities registryActivities() {
        return registryActivities(retry(spec.activities()));
    }

    private JobRegistryActivities registryActivities(RetryOptions retry) {
        return Workflow.newActivityStub(JobRegistryActivities.class, ActivityOptions.newBuilder()
                .setTaskQueue(spec.activities().taskQueue())
                .setStartToCloseTimeout(Duration.ofMinutes(1))
                .setRetryOptions(retry)
                .build());
    }

    /**
     * Runs one round on every shard. Returns false when a pause or cancel interrupted it: its
     * activities were cancelled (before {@link #STOP_ROUNDS_BY_STATUS}) or stopped early.
     */
    private boolean runRound(TrainingActivities shortWork) {
        long end = state.roundEnd() > 0 ? state.roundEnd() : spec.roundEndAfter(state.step());
        roundInFlightEnd = end;
        int round = state.round();
        long startedMillis = Workflow.currentTimeMillis();
        List<Promise<TrainRoundResult>> results = new ArrayList<>();
        roundScope = Workflow.newCancellationScope(() -> {
            for (int shard = 0; shard < spec.shards(); shard++) {
                CheckpointRef from = resumePoint(shard);
                TrainRoundRequest request = new TrainRoundRequest(spec.jobId(), spec.config(), spec.checkpointStore(),
                        round, shard, spec.shards(), from, end, spec.checkpointEverySteps(), spec.epochs());
                // The Temporal UI shows each activity by its summary: which round, shard and steps it trains.
                TrainingActivities shardTraining = labelled(roundOptions(), "train round " + round + ", shard " + shard
                        + " (of " + spec.shards() + "): to step " + end + " of " + spec.totalSteps());
                results.add(Async.function(shardTraining::trainRound, request));
            }
        });
        roundScope.run();
        List<TrainRoundResult> done = new ArrayList<>();
        RuntimeException failure = null;
        for (Promise<TrainRoundResult> result : results) {
            try {
                done.add(result.get());
            } catch (ActivityFailure | CanceledFailure e) {
                failure = failure == null ? e : failure;
            }
        }
        roundScope = null;
        boolean stoppedEarly = done.stream().anyMatch(r -> !r.reached(end));
        if (failure != null || stoppedEarly) {
            if (failure != null && !(pauseRequested || cancelRequested)) {
                throw failure;
            }
            // A round that stopped early without a pending request ran on a worker that was stopping
            // (SIGTERM), or saw a status from a request since withdrawn (pause, then resume): it continues
            // from its checkpoint like any interruption.
            recordInterruption(shortWork, end, refusedSteps(done));
            roundInFlightEnd = -1;
            return false;
        }
        CheckpointRef next;
        if (spec.shards() == 1) {
            next = done.getFirst().checkpoint();
        } else {
            List<CheckpointRef> shardCheckpoints = done.stream().map(TrainRoundResult::checkpoint).toList();
            next = labelled("merge the " + spec.shards() + " shards of round " + round + " at step " + end)
                    .mergeRound(new MergeRoundRequest(spec.jobId(), spec.config(), spec.checkpointStore(), round,
                    state.checkpoint(), shardCheckpoints));
        }
        long steps = end - state.step();
        double secondsPerStep = steps > 0 ? (Workflow.currentTimeMillis() - startedMillis) / 1000.0 / steps : -1;
        state = state.withRoundDone(end, next, mergedMetrics(done, end), secondsPerStep, refusedSteps(done));
        if (state.deadline() != null && secondsPerStep > 0) {
            state = state.withDeadline(state.deadline().withRoundPace(secondsPerStep));
        }
        roundInFlightEnd = -1;
        log.info("job {} round {} done at step {}/{}", spec.jobId(), round, end, spec.totalSteps());
        publish();
        return true;
    }

    /** Non-finite steps the shards' finished attempts refused. */
    private static int refusedSteps(List<TrainRoundResult> done) {
        return done.stream().mapToInt(r -> r.events() == null ? 0 : r.events().refusedSteps()).sum();
    }

    /**
     * After a pause or cancel, asks where each shard stopped so the next round resumes there; the
     * refusals of the shards that returned count, since the resumed round starts counting anew.
     */
    private void recordInterruption(TrainingActivities shortWork, long end, int refused) {
        List<CheckpointRef> resume = new ArrayList<>();
        long reached = reachedStep();
        for (int shard = 0; shard < spec.shards(); shard++) {
            CheckpointRef latest = shortWork.latestCheckpoint(spec.jobId(), spec.checkpointStore(), shard);
            resume.add(latest != null && latest.step() > reached ? latest : null);
        }
        if (spec.shards() == 1 && resume.getFirst() != null) {
            // One shard: its checkpoint is the global one, so the job really is at that step.
            CheckpointRef latest = resume.getFirst();
            state = state.withRoundDone(latest.step(), latest, state.lastMetrics(), state.secondsPerStep(), refused);
        } else {
            state = state.withInterruptedRound(end, resume, refused);
        }
        log.info("job {} interrupted at step {} ({})", spec.jobId(), state.step(), cancelRequested ? "cancel"
                : pauseRequested ? "pause" : "a worker stopped, or a request since withdrawn");
        publish();
    }

    /**
     * The step the job holds: a shard's checkpoint past it is where an interrupted round goes on. Until
     * a retraining's first round ends its checkpoint is the base, whose step is another job's.
     */
    private long reachedStep() {
        if (state.checkpoint() == null) {
            return -1;
        }
        if (state.checkpoint().step() != state.step()
                && Workflow.getVersion(RETRAINING_PAUSE_KEEPS_ITS_STEPS, Workflow.DEFAULT_VERSION, 1) >= 1) {
            return state.step();
        }
        return state.checkpoint().step();
    }

    private CheckpointRef resumePoint(int shard) {
        if (shard < state.shardResume().size() && state.shardResume().get(shard) != null) {
            return state.shardResume().get(shard);
        }
        return state.checkpoint();
    }

    private void maybeEvaluate(boolean atEnd) {
        if (spec.evalEveryEpochs() < 0) {
            return; // job.eval_every_epochs: -1, e.g. images without labels
        }
        int epoch = completedEpochs();
        boolean due = spec.evalEveryEpochs() > 0 && epoch / spec.evalEveryEpochs() > state.lastEvalEpoch() / spec.evalEveryEpochs();
        boolean finalEval = atEnd && (state.lastEval() == null || state.lastEval().step() != state.step());
        if ((due || finalEval) && state.checkpoint() != null) {
            long startedMillis = Workflow.currentTimeMillis();
            EvalResult eval = labelled("k-NN at epoch " + epoch + ", step " + state.checkpoint().step())
                    .evaluate(new EvaluateRequest(spec.jobId(), spec.config(), state.checkpoint(), epoch,
                            spec.checkpointStore()));
            state = state.withEval(eval);
            if (state.deadline() != null) {
                state = state.withDeadline(state.deadline().withEvaluationSeconds(
                        (Workflow.currentTimeMillis() - startedMillis) / 1000.0));
            }
            publish();
        }
    }

    /**
     * After a round: a job that keeps to its time budget and is predicted, at the pace of its last
     * rounds, to end past it becomes as long as still fits (never shorter than what it began), and
     * says so in its schedule, the registry and the log. Its schedules follow the new length from the
     * next round, as after {@code set-epochs}.
     */
    private void keepToDeadline() {
        BudgetDeadline deadline = state.deadline();
        if (deadline == null || deadline.pace() < 0 || state.step() >= spec.totalSteps() || pauseRequested
                || cancelRequested) {
            return;
        }
        long now = Workflow.currentTimeMillis();
        double pace = deadline.pace();
        int fitting = deadline.epochsWithin(now, state.step(), spec.stepsPerEpoch(), spec.epochs(), spec.evalEveryEpochs(),
                pace);
        if (fitting >= spec.epochs()) {
            return;
        }
        double overrun = (now - deadline.atMillis()) / 1000.0
                + deadline.predictSeconds(state.step(), spec.stepsPerEpoch(), fitting, spec.evalEveryEpochs(), pace);
        boolean evaluationsDue = BudgetDeadline.evaluationsAfter(completedEpochs(), spec.epochs(), spec.evalEveryEpochs()) > 0;
        String why = String.format(Locale.ROOT, "; at step %d its rounds took %.3f s a step%s, slower than measured, so"
                + " it was shortened to %d epochs (%d steps)", state.step(), pace,
                evaluationsDue ? String.format(Locale.ROOT, " and a k-NN evaluation %.1f s", deadline.evaluationSeconds()) : "",
                fitting, fitting * spec.stepsPerEpoch());
        double past = overrun + BudgetDeadline.CLOSING_SECONDS;
        String outcome = overrun > -BudgetDeadline.CLOSING_SECONDS
                ? ", the shortest it can be: it is predicted to end " + (past < 60
                        ? String.format(Locale.ROOT, "%.0f s", past) : String.format(Locale.ROOT, "%.1f minutes", past / 60))
                        + " past its time budget"
                : " to end within its time budget";
        spec = spec.withEpochs(fitting);
        // The latest reason replaces an earlier one: a machine that keeps slowing shortens the job again.
        state = state.withSchedule(deadline.sizing() + why + outcome);
        recordLength();
        log.warn("job {}: {}{}", spec.jobId(), why.substring(2), outcome);
        publish();
    }

    /**
     * Records a length the workflow chose mid-run in the registry, for a restart from it. A few
     * attempts only: the registry is this machine's record, not the job's state (the pretrain command
     * brings it up to date from the workflow), and a registry that cannot be written must not stall
     * the training.
     */
    private void recordLength() {
        try {
            registryActivities(RetryOptions.newBuilder(retry(spec.activities())).setMaximumAttempts(3).build())
                    .recordSpec(spec, state.schedule());
        } catch (ActivityFailure unwritable) {
            String why = unwritable.getCause() instanceof ApplicationFailure cause ? cause.getOriginalMessage()
                    : String.valueOf(unwritable.getCause());
            log.warn("job {}: its new length of {} epochs could not be recorded in the registry ({}); it trains on",
                    spec.jobId(), spec.epochs(), why);
        }
    }

    private TrainingMetrics mergedMetrics(List<TrainRoundResult> results, long step) {
        List<TrainRoundResult> trained = results.stream().filter(r -> Double.isFinite(r.metrics().loss())).toList();
        // Asked only when a shard was idle, so the histories of every other round replay as they were.
        if (trained.size() < results.size()
                && Workflow.getVersion(IDLE_SHARDS_KEEP_METRICS, Workflow.DEFAULT_VERSION, 1) >= 1) {
            if (trained.isEmpty()) {
                return state.lastMetrics();
            }
            TrainingMetrics merged = averaged(trained, step);
            // An idle shard trained its steps in an earlier attempt, at about its siblings' rate.
            return new TrainingMetrics(step, merged.loss(), merged.lossTerms(), merged.learningRate(),
                    merged.teacherMomentum(), merged.imagesPerSecond() / trained.size() * results.size());
        }
        return averaged(results, step);
    }

    /** The shards' mean loss and summed rate; the first shard's terms and schedules. */
    private static TrainingMetrics averaged(List<TrainRoundResult> results, long step) {
        if (results.size() == 1) {
            return results.getFirst().metrics();
        }
        double loss = 0;
        double imagesPerSecond = 0;
        TrainingMetrics first = results.getFirst().metrics();
        for (TrainRoundResult r : results) {
            loss += r.metrics().loss() / results.size();
            imagesPerSecond += r.metrics().imagesPerSecond();
        }
        return new TrainingMetrics(step, loss, first.lossTerms(), first.learningRate(), first.teacherMomentum(),
                imagesPerSecond);
    }

    private int completedEpochs() {
        return (int) (state.step() / spec.stepsPerEpoch());
    }

    private void publish() {
        Progress p = progress();
        Workflow.upsertTypedSearchAttributes(
                DinojSearchAttributes.JOB.valueSet(jobLabel()),
                DinojSearchAttributes.STATUS.valueSet(status.name()),
                DinojSearchAttributes.EPOCH.valueSet((long) p.epoch()),
                DinojSearchAttributes.STEP.valueSet(p.step()));
        Double loss = shownLoss();
        if (loss != null) {
            Workflow.upsertTypedSearchAttributes(DinojSearchAttributes.LOSS.valueSet(loss));
        }
        if (state.lastEval() != null) {
            Workflow.upsertTypedSearchAttributes(DinojSearchAttributes.KNN_TOP1.valueSet(state.lastEval().top1()));
        }
        Workflow.setCurrentDetails(p.summary());
        if (Workflow.getVersion(PROGRESS_MEMO, Workflow.DEFAULT_VERSION, 1) >= 1) {
            Map<String, Object> now = memo(p);
            if (!now.equals(memo)) {
                Workflow.upsertMemo(now);
                memo = now;
            }
        }
    }

    private String jobLabel() {
        return spec.jobName() == null ? spec.jobId() : spec.jobName();
    }

    /**
     * The last loss to four decimals, what a person reads in the UI (the query keeps the full
     * value); null before the first finite one.
     */
    private Double shownLoss() {
        if (state.lastMetrics() == null || !Double.isFinite(state.lastMetrics().loss())) {
            return null;
        }
        return Math.round(state.lastMetrics().loss() * 1e4) / 1e4;
    }

    /** The memo the Temporal UI shows beside the search attributes: plain values, people's rounding. */
    private Map<String, Object> memo(Progress p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", jobLabel());
        m.put("status", status.name());
        m.put("epoch", p.epoch() + "/" + p.epochs());
        m.put("step", p.step() + "/" + p.totalSteps());
        Double loss = shownLoss();
        if (loss != null) {
            m.put("loss", loss);
        }
        if (state.refusedSteps() > 0) {
            m.put("refused_steps", state.refusedSteps());
        }
        if (state.lastEval() != null) {
            m.put("knn_top1", state.lastEval().top1());
            m.put("knn_epoch", state.lastEval().epoch());
        }
        if (state.schedule() != null) {
            m.put("schedule", state.schedule());
        }
        if (state.deadline() != null) {
            // When it is due, for the person watching the UI: only jobs kept to a deadline have one.
            m.put("ends_by", java.time.Instant.ofEpochMilli(state.deadline().atMillis())
                    .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        }
        return m;
    }

    private ActivityOptions roundOptions() {
        ActivitySettings a = spec.activities();
        return ActivityOptions.newBuilder()
                .setTaskQueue(a.taskQueue())
                .setStartToCloseTimeout(a.roundTimeout())
                .setHeartbeatTimeout(a.heartbeatTimeout())
                // A paused or cancelled round gets to write its checkpoint before the workflow moves on.
                .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
                .setRetryOptions(retry(a))
                .build();
    }

    /**
     * A stub of the short activities whose next activity the Temporal UI shows by {@code summary}. The
     * summary is metadata of the scheduling command, which replay does not compare, so recorded
     * histories replay.
     */
    private TrainingActivities labelled(String summary) {
        return labelled(shortOptions(), summary);
    }

    private static TrainingActivities labelled(ActivityOptions options, String summary) {
        return Workflow.newActivityStub(TrainingActivities.class, ActivityOptions.newBuilder(options).setSummary(summary).build());
    }

    private ActivityOptions shortOptions() {
        ActivitySettings a = spec.activities();
        return ActivityOptions.newBuilder()
                .setTaskQueue(a.taskQueue())
                .setStartToCloseTimeout(a.roundTimeout())
                .setHeartbeatTimeout(a.heartbeatTimeout())
                .setRetryOptions(retry(a))
                .build();
    }

    private static RetryOptions retry(ActivitySettings a) {
        return RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofSeconds(1))
                .setBackoffCoefficient(2)
                .setMaximumInterval(Duration.ofSeconds(30))
                .setMaximumAttempts(a.maxAttempts())
                .setDoNotRetry(IllegalArgumentException.class.getName())
                .build();
    }

    @Override
    public void pause() {
        if (status == JobStatus.RUNNING) {
            status = JobStatus.PAUSING;
        }
        pauseRequested = true;
        stopRound("pause requested");
    }

    @Override
    public void resume() {
        pauseRequested = false;
    }

    @Override
    public void cancel() {
        cancelRequested = true;
        status = JobStatus.CANCELLING;
        stopRound("cancel requested");
    }

    /** Asks a running round to checkpoint and stop: by publishing the status the round reads. */
    private void stopRound(String reason) {
        if (roundScope == null) {
            return;
        }
        if (roundsStopByStatus()) {
            publish();
        } else {
            roundScope.cancel(reason);
        }
    }

    private static boolean roundsStopByStatus() {
        return Workflow.getVersion(STOP_ROUNDS_BY_STATUS, Workflow.DEFAULT_VERSION, 1) >= 1;
    }

    @Override
    public Progress progress() {
        long step = state.step();
        long remaining = spec.totalSteps() - step;
        long eta = state.secondsPerStep() >= 0 ? Math.round(remaining * state.secondsPerStep()) : -1;
        return new Progress(spec.jobId(), status, completedEpochs(), spec.epochs(), step, spec.totalSteps(),
                state.lastMetrics(), state.lastEval(), state.checkpoint(), eta, state.refusedSteps(), state.schedule());
    }

    @Override
    public int setEpochs(int epochs) {
        spec = spec.withEpochs(epochs);
        if (state.deadline() != null) {
            // The length someone chose is kept, whatever the time budget said, and the schedule says so.
            state = state.withSchedule(state.deadline().sizing() + "; set to " + epochs
                    + " epochs with set-epochs, so it no longer keeps to its time budget").withDeadline(null);
        }
        publish();
        return epochs;
    }

    @Override
    public void validateSetEpochs(int epochs) {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        }
        if (spec.timeBudgetSeconds() > 0) {
            // Not a bad length but a state: callers tell the two refusals apart by the failure's type.
            throw new IllegalStateException("job '" + spec.jobId() + "' is still sizing its length to its time"
                    + " budget; change it once it trains");
        }
        long minimum = (state.step() + spec.stepsPerEpoch() - 1) / spec.stepsPerEpoch();
        if (epochs < minimum) {
            throw new IllegalArgumentException("the job already trained into epoch " + minimum
                    + "; choose at least " + minimum + " epochs, got " + epochs);
        }
    }
}
