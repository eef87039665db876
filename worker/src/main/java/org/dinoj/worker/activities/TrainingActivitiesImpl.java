package org.dinoj.worker.activities;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import io.temporal.client.ActivityCompletionException;
import io.temporal.client.ActivityWorkerShutdownException;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.TreeMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import org.dinoj.model.config.ConfigException;
import org.dinoj.model.config.ConfigLoader;
import org.dinoj.model.checkpoint.Checkpoint;
import org.dinoj.model.checkpoint.CheckpointMismatchException;
import org.dinoj.model.checkpoint.CheckpointStore;
import org.dinoj.model.ssl.NonFiniteStepException;
import org.dinoj.model.train.CheckpointEvaluator;
import org.dinoj.model.train.DilocoMerge;
import org.dinoj.model.train.StepResult;
import org.dinoj.model.train.TrainingSession;
import org.dinoj.model.train.TrainingSessionFactory;
import org.dinoj.model.train.config.JobConfig;
import org.dinoj.worker.jobs.BudgetSizing;
import org.dinoj.worker.jobs.JobSection;
import org.dinoj.worker.report.JobHistory;
import org.dinoj.worker.report.JobReport;
import org.dinoj.workflows.CheckpointRef;
import org.dinoj.workflows.EvalResult;
import org.dinoj.workflows.EvaluateRequest;
import org.dinoj.workflows.MergeRoundRequest;
import org.dinoj.workflows.RoundEvents;
import org.dinoj.workflows.RoundHeartbeat;
import org.dinoj.workflows.RoundStopRequests;
import org.dinoj.workflows.SizeScheduleRequest;
import org.dinoj.workflows.SizedSchedule;
import org.dinoj.workflows.TrainRoundRequest;
import org.dinoj.workflows.TrainRoundResult;
import org.dinoj.workflows.TrainingActivities;
import org.dinoj.workflows.TrainingMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training activities of a worker process: rounds of training steps with checkpoints and
 * heartbeats, the DiLoCo merge, k-NN evaluation, the lookup of the latest checkpoint and the sizing
 * of a schedule to a time budget. Each
 * method works on the job's checkpoint store ({@link CheckpointLayout}); payloads carry references.
 */
public final class TrainingActivitiesImpl implements TrainingActivities {
    private static final Logger log = LoggerFactory.getLogger(TrainingActivitiesImpl.class);
    /** Failure types the workflow must not retry: a retry would meet the same problem. */
    static final String NO_USABLE_CHECKPOINT = "NoUsableCheckpoint";
    static final String DIVERGED = "TrainingDiverged";
    static final String BAD_CHECKPOINT = "BadCheckpoint";
    static final String CHECKPOINT_MISMATCH = "CheckpointMismatch";
    static final String EVALUATION_REFUSED = "EvaluationRefused";

    private final TrainingSessionFactory sessions;
    private final CheckpointEvaluator evaluator;
    private final TrainingPolicy policy;

    public TrainingActivitiesImpl(TrainingSessionFactory sessions, CheckpointEvaluator evaluator, TrainingPolicy policy) {
        this.sessions = sessions;
        this.evaluator = evaluator;
        this.policy = policy;
    }

    @Override
    public TrainRoundResult trainRound(TrainRoundRequest request) {
        ActivityExecutionContext context = Activity.getExecutionContext();
        RoundHeartbeat last = context.getHeartbeatDetails(RoundHeartbeat.class).orElse(null);
        if (context.getInfo().getAttempt() > 1 && new RoundStopRequests(context).requested()) {
            // The job is pausing or cancelling and earlier attempts failed (data gone, a full disk): this one would
            // fail too before it read the request, and the job would never stop. It stops at once; the job goes on
            // from the shard's newest checkpoint, as after any pause.
            log.info("job {} shard {}: round {} stops before training, as the job asked (attempt {})", request.jobId(),
                    request.shard(), request.round(), context.getInfo().getAttempt());
            return new TrainRoundResult(request.shard(), null,
                    new TrainingMetrics(last == null ? 0 : last.step(), Double.NaN, Map.of(), Double.NaN, Double.NaN, 0),
                    new RoundEvents(last == null ? 0 : last.step(), "stopped before training", 0, 0, 1,
                            "the job asked the round to stop while its attempts were failing"));
        }
        CheckpointLayout layout = CheckpointLayout.of(request.checkpointStore());
        if (request.round() == 0) {
            // Every shard: the others would otherwise train their whole round before the job fails.
            checkEvaluable(request.config());
        }
        ActivityInfo info = context.getInfo();
        String activity = info.getWorkflowId() + "/" + info.getRunId() + "/" + info.getActivityId();
        ResumePlanner.Start start;
        try {
            start = ResumePlanner.start(layout, request, last, info.getAttempt(), activity);
        } catch (ResumePlanner.NoUsableCheckpointException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), NO_USABLE_CHECKPOINT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ResumePlanner.Plan plan = start.plan();
        try {
            return new Round(context, layout, request, plan).run(start.abandonedAfter(), activity);
        } catch (CheckpointMismatchException e) {
            // Another architecture or mode than the configuration's (a base checkpoint of another model): retrying cannot help.
            throw ApplicationFailure.newNonRetryableFailure("round " + request.round() + " of shard " + request.shard()
                    + " of job " + request.jobId() + " cannot start from " + plan.directory() + ": " + e.getMessage(),
                    CHECKPOINT_MISMATCH);
        } catch (IOException e) {
            throw new UncheckedIOException("round " + request.round() + " of shard " + request.shard() + " of job "
                    + request.jobId() + ": " + e.getMessage(), e);
        } finally {
            ResumePlanner.deleteComposed(plan.composed());
        }
    }

    /**
     * The round's configuration: the job's, with {@code optim.epochs} set to the length the workflow
     * holds now (the setEpochs update changes it), so that the learning-rate, weight decay, momentum
     * and temperature schedules stretch or shrink with the job.
     */
    static String sessionConfig(TrainRoundRequest request) {
        if (request.epochs() <= 0) {
            return request.config();
        }
        return ConfigLoader.withOverrides(request.config(), List.of("optim.epochs=" + request.epochs()));
    }

    /** One attempt of one shard's round: the session, its last good checkpoint and what happened. */
    private final class Round {
        private final ActivityExecutionContext context;
        private final CheckpointLayout layout;
        private final TrainRoundRequest request;
        /** The job's configuration with the length the workflow holds now: the schedules follow it. */
        private final String config;
        private final ResumePlanner.Plan plan;
        private final CheckpointStore store;
        private final JobHistory history;
        private final Set<Long> protectedSteps = new HashSet<>();
        private final RoundMeters meters;
        private TrainingSession session;
        /** Directory to reopen after refusals: the newest checkpoint this attempt wrote, else the plan's. */
        private Path lastGoodDirectory;
        /** Whether {@link #lastGoodDirectory} is a retraining's base: reopened for its weights only. */
        private boolean lastGoodIsBase;
        private CheckpointRef lastCheckpoint;
        private StepResult lastResult;
        private int refused;
        private int refusedInARow;
        private int reopens;
        /** Reopens since the last checkpoint; a second one means reopening alone did not help. */
        private int reopensSinceCheckpoint;
        private int halvings;
        /** Learning-rate factor applied since the last checkpoint (a reopened session must get it again). */
        private double unsavedScale = 1;
        private double scale = 1;
        private String lastEvent;

        Round(ActivityExecutionContext context, CheckpointLayout layout, TrainRoundRequest request,
              ResumePlanner.Plan plan) {
            this.context = context;
            this.layout = layout;
            this.request = request;
            this.config = sessionConfig(request);
            this.plan = plan;
            this.store = new CheckpointStore(layout.shard(request.shard()));
            this.history = new JobHistory(layout.root());
            this.lastGoodDirectory = plan.directory();
            this.lastGoodIsBase = plan.weightsOnly();
            this.lastEvent = plan.event();
            this.meters = new RoundMeters(request.jobId(), request.shard());
            if (plan.directory() != null && plan.composed() == null
                    && plan.directory().getParent().equals(store.root())) {
                // The start point may be needed again by a retry: retention never deletes it.
                protectedSteps.add(plan.step());
                lastCheckpoint = refOf(plan.directory(), plan.step());
            }
            if (request.startFrom() != null && !ResumePlanner.isBase(layout, request.startFrom())) {
                // Its step here (with several shards: the shard's own state at the global step). A retraining's
                // base is another job's: its step names nothing in this store.
                protectedSteps.add(request.startFrom().step());
            }
            bestEvaluatedStep(layout.root(), store.root(), request.jobId()).ifPresent(protectedSteps::add);
        }

        /**
         * @param abandonedAfter see {@link ResumePlanner#abandonedAfter}: this shard's newer checkpoints are set aside
         * @param activity this activity's identity, recorded once they are
         */
        TrainRoundResult run(long abandonedAfter, String activity) throws IOException {
            if (abandonedAfter >= 0) {
                setAsideAbandoned(abandonedAfter);
                ResumePlanner.recordSetAside(layout, request.shard(), activity);
            }
            log.info("job {} round {} shard {}/{}: steps {} -> {}, starting from {} ({})", request.jobId(),
                    request.round(), request.shard(), request.shards(), plan.step(), request.endStep(),
                    plan.directory() == null ? "a fresh initialisation" : plan.directory(), plan.source());
            session = open(plan.directory(), plan.weightsOnly());
            session.resumeNote().ifPresent(note -> {
                lastEvent = lastEvent == null ? note : lastEvent + "; " + note;
                log.warn("job {} shard {}: {}", request.jobId(), request.shard(), note);
            });
            try {
                if (session.step() != plan.step()) {
                    throw new IOException("the session opened from " + plan.directory() + " is at step " + session.step()
                            + ", its checkpoint says " + plan.step());
                }
                if (plan.directory() == null && request.shards() > 1 && request.shard() == 0) {
                    writeInitialGlobal();
                }
                heartbeat();
                RoundStopRequests stops = new RoundStopRequests(context);
                boolean stopRequested = stops.requested();
                while (session.step() < request.endStep() && !stopRequested) {
                    boolean advanced = trainOneStep();
                    long step = session.step();
                    if (advanced) {
                        // One line per step at debug: the fault harness measures redone steps from it.
                        log.debug("job {} shard {}: step {} done", request.jobId(), request.shard(), step);
                    }
                    if (advanced && (step % request.checkpointEverySteps() == 0 || step == request.endStep())) {
                        save();
                    }
                    heartbeat();
                    stopRequested = stops.requested();
                }
                if (lastCheckpoint == null || lastCheckpoint.step() != session.step()) {
                    save();
                }
                if (session.step() < request.endStep()) {
                    // Pause or cancel: the workflow sees a checkpoint short of the end step and resumes there.
                    lastEvent = "stopped at step " + session.step() + ": the job asked to pause or cancel";
                    log.info("job {} shard {}: {}, checkpoint {}", request.jobId(), request.shard(), lastEvent,
                            lastCheckpoint.uri());
                }
                if (request.shard() == 0) {
                    writeReport(layout.root(), request.jobId(), config);
                }
                return new TrainRoundResult(request.shard(), lastCheckpoint, metrics(), events());
            } catch (ActivityWorkerShutdownException stopping) {
                // This worker is stopping (SIGTERM): end the attempt at its checkpoint, as a pause does, and the
                // workflow goes on from there on another worker. A failed attempt would count against
                // job.max_attempts, and a stopping worker still receives the attempts its open polls ask for,
                // each failing at once: one SIGTERM could fail the job.
                checkpointBeforeStopping(stopping);
                if (lastCheckpoint == null) {
                    throw stopping;
                }
                return new TrainRoundResult(request.shard(), lastCheckpoint, metrics(), events());
            } catch (ActivityCompletionException stopped) {
                // Cancelled by Temporal (the workflow was cancelled), or an attempt Temporal no longer knows (it
                // timed out while this worker was cut off): keep the work done so far, then let Temporal know.
                checkpointBeforeStopping(stopped);
                throw stopped;
            } finally {
                session.close();
            }
        }

        private TrainingSession open(Path directory, boolean weightsOnly) throws IOException {
            return weightsOnly ? sessions.openFromWeights(config, request.shard(), request.shards(), directory)
                    : sessions.open(config, request.shard(), request.shards(), directory);
        }

        /** One step; false when it was refused (nothing applied). */
        private boolean trainOneStep() throws IOException {
            try {
                long started = System.nanoTime();
                lastResult = session.trainStep();
                meters.stepDone(lastResult, System.nanoTime() - started);
                refusedInARow = 0;
                recordStep(lastResult);
                return true;
            } catch (NonFiniteStepException e) {
                meters.stepRefused();
                refused++;
                refusedInARow++;
                lastEvent = e.getMessage() + " (" + refusedInARow + " in a row)";
                log.warn("job {} shard {}: {}", request.jobId(), request.shard(), lastEvent);
                if (refusedInARow >= policy.refusalsBeforeReopen()) {
                    reopen();
                }
                return false;
            }
        }

        /** After refusals in a row: back to the last good checkpoint; the second time, with half the learning rate. */
        private void reopen() throws IOException {
            boolean halve = reopensSinceCheckpoint >= 1;
            if (halve && halvings >= policy.maxLearningRateHalvings()) {
                throw ApplicationFailure.newNonRetryableFailure("job " + request.jobId() + " shard " + request.shard()
                        + " keeps producing non-finite steps after " + halvings + " halvings of the learning rate (last: "
                        + lastEvent + "); check the data, or retry the job with a lower learning rate ('dinoj pretrain --job-id "
                        + request.jobId() + " --retry --set optim.base_lr=...')", DIVERGED);
            }
            session.close();
            session = open(lastGoodDirectory, lastGoodIsBase);
            if (unsavedScale != 1) {
                session.scaleLearningRate(unsavedScale);
            }
            if (halve) {
                session.scaleLearningRate(0.5);
                unsavedScale *= 0.5;
                scale *= 0.5;
                halvings++;
            }
            reopens++;
            reopensSinceCheckpoint++;
            refusedInARow = 0;
            lastEvent = policy.refusalsBeforeReopen() + " non-finite steps in a row: reopened from step "
                    + session.step() + (halve ? " with the learning rate halved (x" + scale + " in this round)" : "");
            log.warn("job {} shard {}: {}", request.jobId(), request.shard(), lastEvent);
        }

        /** Appends the step to the job history (for results.json and the plots); a failure there never stops training. */
        private void recordStep(StepResult r) {
            try {
                history.appendStep(new JobHistory.StepRecord(request.shard(), r.step(), System.currentTimeMillis(),
                        r.loss(), r.lossTerms(), r.learningRate(), r.imagesPerSecond()));
            } catch (IOException | RuntimeException e) {
                log.warn("job {} shard {}: could not record step {} in {}: {}", request.jobId(), request.shard(),
                        r.step(), history.directory(), e.toString());
            }
        }

        /** Moves the shard's checkpoints newer than {@code after} to its {@code abandoned/} folder, said in the log. */
        private void setAsideAbandoned(long after) throws IOException {
            List<Long> newer = store.steps().stream().filter(s -> s > after && !protectedSteps.contains(s)).sorted().toList();
            if (newer.isEmpty()) {
                return;
            }
            Path folder = layout.abandoned(request.shard());
            for (long step : newer) {
                store.moveAside(step, folder);
            }
            log.warn("job {} shard {}: round {} starts at step {}; moved the checkpoints of steps {}, left by a run the"
                    + " job did not go on from, to {} (delete them when no longer wanted)", request.jobId(),
                    request.shard(), request.round(), after, newer, folder);
        }

        private void save() throws IOException {
            long step = session.step();
            long started = System.nanoTime();
            Checkpoint c = store.save(step, session::saveTo);
            meters.checkpointWritten(c, System.nanoTime() - started);
            lastCheckpoint = CheckpointLayout.ref(c);
            lastGoodDirectory = c.directory();
            lastGoodIsBase = false;
            unsavedScale = 1;
            reopensSinceCheckpoint = 0;
            store.retain(policy.keepCheckpoints(), protectedSteps);
            // The log's view of training: one line per checkpoint, with the step that was saved.
            log.info("job {} shard {}: step {}{}, checkpoint {}", request.jobId(), request.shard(), step,
                    lastResult != null && lastResult.step() == step ? checkpointLogSuffix(lastResult) : "", c.directory());
        }

        /** ", loss L (term t, ...), lr X, teacher momentum M, R img/s" for the log. */
        private static String checkpointLogSuffix(StepResult r) {
            StringBuilder terms = new StringBuilder();
            new TreeMap<>(r.lossTerms()).forEach((name, value) -> terms.append(terms.isEmpty() ? "" : ", ")
                    .append(name).append(' ').append(String.format(Locale.ROOT, "%.4f", value)));
            return String.format(Locale.ROOT, ", loss %.4f (%s), lr %.3g, teacher momentum %.5f, %.1f img/s",
                    r.loss(), terms, r.learningRate(), r.teacherMomentum(), r.imagesPerSecond());
        }

        private void checkpointBeforeStopping(ActivityCompletionException stopped) {
            try {
                if (lastCheckpoint == null || lastCheckpoint.step() != session.step()) {
                    save();
                }
                lastEvent = "stopped at step " + session.step() + " (" + stopped.getClass().getSimpleName() + ")";
                log.info("job {} shard {}: {}, checkpoint {}", request.jobId(), request.shard(), lastEvent,
                        lastCheckpoint == null ? "none" : lastCheckpoint.uri());
                // The details of a failed or cancelled attempt go back with it, so the retry sees this checkpoint.
                context.heartbeat(heartbeatDetails());
            } catch (ActivityCompletionException expected) {
                log.debug("final heartbeat not delivered: {}", expected.toString());
            } catch (IOException | RuntimeException e) {
                log.error("job {} shard {}: could not write the checkpoint before stopping: {}", request.jobId(),
                        request.shard(), e.toString());
            }
        }

        /** Shard 0 records the common initial weights: the first merge's outer gradient starts there. */
        private void writeInitialGlobal() throws IOException {
            CheckpointStore global = new CheckpointStore(layout.global());
            if (ResumePlanner.newestVerified(global, -1, 0).isEmpty()) {
                global.save(0, session::saveTo);
            }
        }

        private void heartbeat() {
            context.heartbeat(heartbeatDetails());
        }

        private RoundHeartbeat heartbeatDetails() {
            double loss = lastResult == null ? Double.NaN : lastResult.loss();
            double ips = lastResult == null ? 0 : lastResult.imagesPerSecond();
            return new RoundHeartbeat(session.step(), request.endStep(), loss, ips, lastCheckpoint, events());
        }

        private RoundEvents events() {
            return new RoundEvents(plan.step(), plan.source(), refused, reopens, scale, lastEvent);
        }

        private TrainingMetrics metrics() {
            if (lastResult == null) {
                return new TrainingMetrics(session.step(), Double.NaN, Map.of(), Double.NaN, Double.NaN, 0);
            }
            return new TrainingMetrics(lastResult.step(), lastResult.loss(), lastResult.lossTerms(),
                    lastResult.learningRate(), lastResult.teacherMomentum(), lastResult.imagesPerSecond());
        }

        private CheckpointRef refOf(Path directory, long step) {
            try {
                return CheckpointLayout.ref(new CheckpointStore(directory.getParent()).verify(step));
            } catch (IOException e) {
                return null;
            }
        }
    }

    @Override
    public CheckpointRef mergeRound(MergeRoundRequest request) {
        CheckpointLayout layout = CheckpointLayout.of(request.checkpointStore());
        JobConfig config = JobSection.parse(request.config()).job();
        try (BackgroundHeartbeat beating = BackgroundHeartbeat.start(Activity.getExecutionContext(),
                "merge of " + request.shardCheckpoints().size() + " shard checkpoints")) {
            List<Checkpoint> shards = new ArrayList<>();
            for (CheckpointRef ref : request.shardCheckpoints()) {
                shards.add(verifiedOrFail(ref, "shard checkpoint"));
            }
            long step = shards.getFirst().step();
            for (Checkpoint c : shards) {
                if (c.step() != step) {
                    throw ApplicationFailure.newNonRetryableFailure("round " + request.round() + " of job "
                            + request.jobId() + " ended at different steps per shard (" + c.step() + " and " + step
                            + "); a merge needs every shard at the same step", BAD_CHECKPOINT);
                }
            }
            Checkpoint global = request.global() != null ? verifiedOrFail(request.global(), "global checkpoint")
                    : ResumePlanner.newestVerified(new CheckpointStore(layout.global()), -1, 0).orElseThrow(() ->
                    ApplicationFailure.newNonRetryableFailure("job " + request.jobId() + " has no initial global"
                            + " checkpoint in " + layout.global() + " to merge the first round into", BAD_CHECKPOINT));
            DilocoMerge.OuterOptimizer outer = new DilocoMerge.OuterOptimizer(config.outerLr(), config.outerMomentum());
            CheckpointStore globalStore = new CheckpointStore(layout.global());
            setAsideNewerMerges(globalStore, layout.abandonedGlobal(), step, request.jobId());
            Checkpoint merged = globalStore.save(step, out -> {
                DilocoMerge.merge(global.directory(), shards.stream().map(Checkpoint::directory).toList(), outer, out);
                copyTrainerState(shards.getFirst().directory(), out);
            });
            globalStore.retain(policy.keepCheckpoints(),
                    bestEvaluatedStep(layout.root(), globalStore.root(), request.jobId()).stream().boxed()
                            .collect(Collectors.toSet()));
            log.info("job {} round {}: merged {} shards at step {} into {}", request.jobId(), request.round(),
                    shards.size(), step, merged.directory());
            return CheckpointLayout.ref(merged);
        } catch (IllegalArgumentException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), BAD_CHECKPOINT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Merges past this one are a run the job did not go on from (a workflow reset, a job restarted
     * from an older merge): a resume would take the newest, and retention would delete this run's
     * merges before them. They move to {@code global/abandoned/}, kept, as a shard's do.
     */
    private static void setAsideNewerMerges(CheckpointStore global, Path abandoned, long step, String jobId)
            throws IOException {
        for (long newer : global.steps()) {
            if (newer > step) {
                Path moved = global.moveAside(newer, abandoned);
                log.warn("job {}: global checkpoint of step {} is newer than this merge (step {}), from a run the job"
                        + " did not go on from; moved it to {}", jobId, newer, step, moved);
            }
        }
    }

    /**
     * The global checkpoint stays loadable on its own (evaluation, a later single-node run): it gets
     * shard 0's optimizer and trainer files; each shard replaces them with its own when it resumes.
     */
    private static void copyTrainerState(Path shard, Path out) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(shard)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (!name.equals(CheckpointStore.MANIFEST) && !Files.exists(out.resolve(name))) {
                    Files.copy(f, out.resolve(name));
                }
            }
        }
    }

    @Override
    public EvalResult evaluate(EvaluateRequest request) {
        try {
            Checkpoint c = verifiedOrFail(request.checkpoint(), "checkpoint to evaluate");
            long start = System.nanoTime();
            CheckpointEvaluator.KnnResult knn;
            // A k-NN over 70000 images takes minutes, the heartbeat timeout is seconds: without
            // heartbeats the server times every attempt out and starts another one, for ever.
            try (BackgroundHeartbeat beat = BackgroundHeartbeat.start(Activity.getExecutionContext(),
                    "k-NN of step " + c.step())) {
                knn = evaluator.knn(request.config(), c.directory());
            }
            double seconds = (System.nanoTime() - start) * 1e-9;
            log.info("job {} epoch {}: k-NN (k={}) top-1 {}%, top-5 {}% in {} s", request.jobId(), request.epoch(), knn.k(),
                    knn.top1(), knn.top5(), String.format(java.util.Locale.ROOT, "%.1f", seconds));
            // <store>/shard-k/step-N or <store>/global/step-N
            Path storeRoot = c.directory().getParent().getParent();
            try {
                new JobHistory(storeRoot).appendEval(new JobHistory.EvalRecord(request.epoch(), c.step(),
                        System.currentTimeMillis(), knn.k(), knn.top1(), knn.top5(), seconds,
                        storeRoot.relativize(c.directory()).toString()));
            } catch (IOException | RuntimeException e) {
                // Retention keeps the best checkpoint by these records: one lost could take that checkpoint
                // with it. Failed (and retried, as a checkpoint that cannot be written is) instead.
                throw new UncheckedIOException(new IOException("the k-NN of step " + c.step() + " (top-1 "
                        + String.format(java.util.Locale.ROOT, "%.2f", knn.top1()) + "%) could not be recorded in "
                        + storeRoot.resolve(JobHistory.DIRECTORY) + ": " + org.dinoj.worker.ErrorSentences.of(e)
                        + "; it runs again once it can be", e));
            }
            writeReport(storeRoot, request.jobId(), request.config());
            retainBetweenRounds(request, c);
            return new EvalResult(request.epoch(), c.step(), knn.k(), knn.top1(), knn.top5());
        } catch (CheckpointMismatchException e) {
            throw ApplicationFailure.newNonRetryableFailure("the k-NN of job " + request.jobId() + " cannot read "
                    + request.checkpoint().uri() + ": " + e.getMessage(), CHECKPOINT_MISMATCH);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public SizedSchedule sizeSchedule(SizeScheduleRequest request) {
        // The measurement trains for about half a minute; the heartbeat timeout is seconds.
        ActivityExecutionContext context = Activity.getExecutionContext();
        // From the first attempt's scheduling (the service's clock); clamped against a skew with this machine's.
        double waited = Math.max(0, (System.currentTimeMillis() - context.getInfo().getScheduledTimestamp()) / 1000.0);
        try (BackgroundHeartbeat beat = BackgroundHeartbeat.start(context, "timing this worker for the time budget")) {
            checkEvaluable(request.config());
            return BudgetSizing.size(request, waited);
        } catch (IOException e) {
            throw new UncheckedIOException("sizing job " + request.jobId() + " to its time budget: " + e.getMessage(), e);
        }
    }

    /** An evaluation that can never run fails the job at its start, not at its first k-NN after hours of training. */
    private void checkEvaluable(String config) {
        try {
            evaluator.checkEvaluable(config);
        } catch (ConfigException e) {
            throw e; // the configuration's own sentence; final, as every ConfigException
        } catch (IllegalArgumentException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage() + " (as a new job: a retry keeps the eval"
                    + " and job sections)", EVALUATION_REFUSED);
        }
    }

    /**
     * Retention of the job's own stores after an evaluation, which runs between rounds: a round keeps
     * its start point for its retries, and the best checkpoint as it was when it began, so a job that
     * ended kept both beside its newest ones. Now only the newest and the best (this evaluation may
     * have made it) stay. Only for a checkpoint inside the job's store (never a retraining's base),
     * only when it is still the store's newest (a late attempt, after the next round began, leaves
     * that round's start alone), and finished checkpoints only (a temporary folder may be a write
     * under way).
     */
    private void retainBetweenRounds(EvaluateRequest request, Checkpoint evaluated) {
        if (request.checkpointStore() == null) {
            return; // a request recorded before dinoj named the store
        }
        try {
            CheckpointLayout layout = CheckpointLayout.of(request.checkpointStore());
            Path root = layout.root().normalize();
            Path store = evaluated.directory().getParent().normalize();
            if (!store.startsWith(root) || store.equals(root)) {
                return;
            }
            CheckpointStore evaluatedStore = new CheckpointStore(store);
            if (!isNewest(evaluatedStore, evaluated.step())) {
                return; // a later round has begun (this is a late attempt): that round's retention is its own
            }
            Set<Long> keep = new HashSet<>(Set.of(evaluated.step()));
            bestEvaluatedStep(root, store, request.jobId()).ifPresent(keep::add);
            evaluatedStore.retainSteps(policy.keepCheckpoints(), keep);
            if (store.equals(layout.global().normalize())) {
                // Several shards: each shard's own states, between rounds, need no round start either.
                try (DirectoryStream<Path> shards = Files.newDirectoryStream(root, "shard-*")) {
                    for (Path shard : shards) {
                        CheckpointStore shardStore = new CheckpointStore(shard);
                        List<Long> steps = shardStore.steps();
                        if (steps.isEmpty() || steps.getFirst() <= evaluated.step()) {
                            shardStore.retainSteps(policy.keepCheckpoints(), Set.of());
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // Disk space, not correctness: the next round's retention tries again.
            log.warn("job {}: retention after the evaluation of {} failed: {}", request.jobId(), evaluated.directory(),
                    e.toString());
        }
    }

    private static boolean isNewest(CheckpointStore store, long step) throws IOException {
        List<Long> steps = store.steps();
        return !steps.isEmpty() && steps.getFirst() == step;
    }

    /**
     * The step of the checkpoint in {@code store} with the best k-NN so far, which retention keeps
     * beside the newest ones: after days of training it is the one a person exports, and a k-NN
     * that falls late in a run must not take it along. Empty when none of {@code store}'s was evaluated.
     */
    private static OptionalLong bestEvaluatedStep(Path jobRoot, Path store, String jobId) {
        try {
            Optional<JobHistory.EvalRecord> best = new JobHistory(jobRoot).best();
            if (best.isPresent() && best.get().checkpoint() != null
                    && jobRoot.resolve(best.get().checkpoint()).getParent().normalize().equals(store.normalize())) {
                return OptionalLong.of(best.get().step());
            }
        } catch (IOException | RuntimeException e) {
            // Retention then keeps the newest checkpoints only, as before any evaluation.
            log.warn("job {}: could not read its evaluations in {}: {}", jobId, jobRoot, e.toString());
        }
        return OptionalLong.empty();
    }

    /**
     * Rewrites results.json and the plots of the job from its history. The report is for people:
     * a failure to write it (disk, fonts on a bare machine) is logged, never fails the activity.
     */
    private static void writeReport(Path storeRoot, String jobId, String config) {
        try {
            JobReport.write(storeRoot, jobId, config, JobSection.parse(config).stepsPerEpoch());
        } catch (IOException | RuntimeException | InternalError | LinkageError e) {
            log.warn("job {}: could not write {} and the plots in {}: {}", jobId, JobReport.RESULTS, storeRoot, e.toString());
        }
    }

    @Override
    public CheckpointRef latestCheckpoint(String jobId, String checkpointStore, int shard) {
        try {
            Optional<Checkpoint> latest = new CheckpointStore(CheckpointLayout.of(checkpointStore).shard(shard))
                    .latestVerified();
            return latest.map(CheckpointLayout::ref).orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The referenced checkpoint, verified: a store's step directory, or one under another name (a
     * retraining's base that 'dinoj import --out DIR' wrote or a person copied, which a multi-shard
     * retraining's first merge starts from).
     */
    private static Checkpoint verifiedOrFail(CheckpointRef ref, String what) throws IOException {
        Path dir = CheckpointLayout.directory(ref);
        try {
            Checkpoint c = dir.getFileName().toString().equals(CheckpointStore.directoryName(ref.step()))
                    ? new CheckpointStore(dir.getParent()).verify(ref.step()) : CheckpointStore.verifyDirectory(dir);
            if (!c.directory().equals(dir) || c.step() != ref.step() || (ref.manifestSha256() != null
                    && !ref.manifestSha256().equals(c.manifestSha256()))) {
                throw new CheckpointStore.CheckpointCorruptException(dir + " is not the checkpoint that was referenced"
                        + " (other step directory or manifest sha256)");
            }
            return c;
        } catch (CheckpointStore.CheckpointCorruptException | java.nio.file.NoSuchFileException e) {
            throw ApplicationFailure.newNonRetryableFailure("the " + what + " " + dir + " does not verify: "
                    + e.getMessage(), BAD_CHECKPOINT);
        }
    }
}
