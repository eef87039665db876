package org.dinoj.workflows;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stand-in for the worker's activities in workflow unit tests: "training" advances a step counter
 * with a short sleep, heartbeats like the real one, and keeps checkpoints in memory. The loss is a
 * known function of the step so tests can check what the workflow reports. A time budget holds
 * {@link #SECONDS_PER_EPOCH} seconds an epoch, and the registry is a list of what was recorded. Shared with the tests
 * module (test-jar) for the same scenarios on the real Temporal server.
 */
public final class SimulatedTraining implements TrainingActivities, JobRegistryActivities {
    final List<TrainRoundRequest> rounds = new CopyOnWriteArrayList<>();
    final List<MergeRoundRequest> merges = new CopyOnWriteArrayList<>();
    final List<EvaluateRequest> evaluations = new CopyOnWriteArrayList<>();
    final List<SizeScheduleRequest> sizings = new CopyOnWriteArrayList<>();
    final List<JobSpec> recordedSpecs = new CopyOnWriteArrayList<>();
    /** The schedule notes that came with RecordJobSpec, in order. */
    final List<String> recordedSchedules = new CopyOnWriteArrayList<>();
    private final Map<Integer, CheckpointRef> latestByShard = new ConcurrentHashMap<>();
    private volatile long millisPerStep;
    private volatile long currentStep;
    private volatile long sizingMillis;
    private volatile int sizedEpochs;
    private volatile int recordsBeforeFailing = Integer.MAX_VALUE;
    /** Every RecordJobSpec attempt, failed ones included. */
    final java.util.concurrent.atomic.AtomicInteger recordAttempts = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean latestCheckpointFails;

    /** Every step that is a multiple of this reports one refused (non-finite) attempt. */
    public static final long REFUSED_EVERY = 7;

    /** What the simulated measurement finds an epoch to cost. */
    public static final double SECONDS_PER_EPOCH = 10;

    public SimulatedTraining(long millisPerStep) {
        this.millisPerStep = millisPerStep;
    }

    /** The step the most recent round has reached. */
    public long currentStep() {
        return currentStep;
    }

    /** Changes the pace of every running and later round, e.g. to keep a round in flight for a while. */
    public void setMillisPerStep(long millis) {
        millisPerStep = millis;
    }

    /** Every TrainRound request received, retries included, in arrival order. */
    public List<TrainRoundRequest> rounds() {
        return List.copyOf(rounds);
    }

    /** Every Evaluate request received. */
    public List<EvaluateRequest> evaluations() {
        return List.copyOf(evaluations);
    }

    public static double lossAt(long step) {
        return 10.0 / (1 + step);
    }

    static CheckpointRef checkpoint(String jobId, int shard, long step) {
        return new CheckpointRef("file:///ckpt/" + jobId + "/shard-" + shard + "/step-" + step, "sha-" + shard + "-" + step,
                step);
    }

    @Override
    public TrainRoundResult trainRound(TrainRoundRequest request) {
        rounds.add(request);
        ActivityExecutionContext context = Activity.getExecutionContext();
        RoundStopRequests stops = new RoundStopRequests(context);
        long step = startStep(request);
        CheckpointRef last = request.startFrom();
        try {
            while (step < request.endStep()) {
                sleep();
                step++;
                currentStep = step;
                if (step % request.checkpointEverySteps() == 0) {
                    last = save(request, step);
                }
                context.heartbeat(new RoundHeartbeat(step, request.endStep(), lossAt(step), 100, last, null));
                if (stops.requested()) {
                    // Pause or cancel: stop here with a checkpoint, as the real round does.
                    break;
                }
            }
        } catch (ActivityCompletionException cancelled) {
            // Cancelled by Temporal (the workflow itself was cancelled): checkpoint, as the real round does.
            save(request, step);
            throw cancelled;
        }
        CheckpointRef end = save(request, step);
        long from = startStep(request);
        // A simulated refusal rate: every step that is a multiple of REFUSED_EVERY was refused once.
        int refused = (int) (step / REFUSED_EVERY - from / REFUSED_EVERY);
        // As the real round: one that trained no step (it started at its end) has no loss and no rate.
        TrainingMetrics metrics = step == from ? new TrainingMetrics(step, Double.NaN, Map.of(), Double.NaN, Double.NaN, 0)
                : new TrainingMetrics(step, lossAt(step), Map.of("dino", lossAt(step)), 1e-3, 0.996, 100);
        return new TrainRoundResult(request.shard(), end, metrics, new RoundEvents(from, "request", refused, 0, 1, null));
    }

    /** As the real round: a checkpoint of another job (a retraining's base) gives weights only, from step 0. */
    private static long startStep(TrainRoundRequest request) {
        if (request.startFrom() == null || !request.startFrom().uri().startsWith("file:///ckpt/" + request.jobId() + "/")) {
            return 0;
        }
        return request.startFrom().step();
    }

    private CheckpointRef save(TrainRoundRequest request, long step) {
        CheckpointRef ref = checkpoint(request.jobId(), request.shard(), step);
        latestByShard.put(request.shard(), ref);
        return ref;
    }

    private void sleep() {
        try {
            Thread.sleep(millisPerStep);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public CheckpointRef mergeRound(MergeRoundRequest request) {
        merges.add(request);
        long step = request.shardCheckpoints().getFirst().step();
        return new CheckpointRef("file:///ckpt/" + request.jobId() + "/global/step-" + step, "sha-global-" + step, step);
    }

    @Override
    public EvalResult evaluate(EvaluateRequest request) {
        evaluations.add(request);
        return new EvalResult(request.epoch(), request.checkpoint().step(), 20, 50 + request.epoch(), 90);
    }

    @Override
    public CheckpointRef latestCheckpoint(String jobId, String checkpointStore, int shard) {
        if (latestCheckpointFails) {
            throw new IllegalStateException("simulated: no worker can read checkpoint store " + checkpointStore);
        }
        return latestByShard.get(shard);
    }

    /** Makes every later LatestCheckpoint fail, as when no worker can answer it. */
    public void setLatestCheckpointFails(boolean fails) {
        latestCheckpointFails = fails;
    }

    /** Makes every later sizing take this long, e.g. to act on a job while it is being sized. */
    public void setSizingMillis(long millis) {
        sizingMillis = millis;
    }

    /** Makes every later sizing choose this many epochs, as a measurement of a machine that then slows does. */
    public void setSizedEpochs(int epochs) {
        sizedEpochs = epochs;
    }

    @Override
    public SizedSchedule sizeSchedule(SizeScheduleRequest request) {
        sizings.add(request);
        // Heartbeats while it "measures", as the worker's sizing does.
        ActivityExecutionContext context = Activity.getExecutionContext();
        long end = System.nanoTime() + sizingMillis * 1_000_000;
        while (System.nanoTime() < end) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            context.heartbeat("sizing");
        }
        if (sizedEpochs > 0) {
            return new SizedSchedule(sizedEpochs, "simulated: " + sizedEpochs + " epochs", 1, 0);
        }
        int epochs = (int) (request.secondsLeft() / SECONDS_PER_EPOCH);
        if (epochs < 1) {
            throw new IllegalArgumentException("the time budget leaves " + request.secondsLeft()
                    + " s, but one epoch takes " + SECONDS_PER_EPOCH + " s");
        }
        return new SizedSchedule(epochs, "simulated: " + epochs + " epochs of " + SECONDS_PER_EPOCH + " s", 1, 0);
    }

    @Override
    public void registerJob(JobSpec spec) {
        recordedSpecs.add(spec);
    }

    /** Makes every RecordJobSpec after the first {@code records} fail, as a registry on a full disk does. */
    public void setRecordsBeforeFailing(int records) {
        recordsBeforeFailing = records;
    }

    @Override
    public void recordSpec(JobSpec spec, String schedule) {
        if (recordAttempts.incrementAndGet() > recordsBeforeFailing) {
            throw new IllegalStateException("simulated: No space left on device");
        }
        recordedSpecs.add(spec);
        recordedSchedules.add(schedule);
    }
}
