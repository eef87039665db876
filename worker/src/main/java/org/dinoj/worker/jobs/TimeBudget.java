package org.dinoj.worker.jobs;

import java.util.Locale;
import org.dinoj.model.train.config.DinoV2Config;
import org.dinoj.model.train.config.JobConfig;

/**
 * How many epochs fit a wall-time budget, from what {@link ScheduleCalibration} measured on this
 * machine. A job's time is its steps, its checkpoints (every {@code job.checkpoint_every_steps} and
 * at each round's end), a session opened per round, and its k-NN evaluations (every
 * {@code job.eval_every_epochs} and once at the end); the longest schedule whose prediction stays
 * under the budget, less a safety margin, wins. The schedule's shape (warm-ups, cosines) follows
 * the chosen length as it would any {@code optim.epochs}.
 */
public final class TimeBudget {
    /** Share of the budget held back for what the measurement cannot see (a slower round, the last upkeep). */
    static final double MARGIN = 0.03;
    /** Starting the worker process and closing the job, beyond what the calibration times. */
    static final double FIXED_SECONDS = 20;
    private static final int MAX_EPOCHS = 1_000_000;

    private TimeBudget() {
    }

    /**
     * What one job looks like to the clock: its fixed numbers from the configuration. Its shards
     * train their rounds in parallel, each as the measured session does; with several, every round
     * ends with a merge that reads each shard's checkpoint and writes the global one.
     */
    public record Shape(long stepsPerEpoch, long stepsPerRound, long checkpointEverySteps, int evalEveryEpochs,
                        int minEpochs, int shards) {
        public Shape {
            if (stepsPerEpoch < 1 || stepsPerRound < 1 || checkpointEverySteps < 1 || evalEveryEpochs < -1 || minEpochs < 1
                    || shards < 1) {
                throw new IllegalArgumentException("a job shape needs positive step counts, got " + this);
            }
        }

        /** A job of one shard. */
        public Shape(long stepsPerEpoch, long stepsPerRound, long checkpointEverySteps, int evalEveryEpochs, int minEpochs) {
            this(stepsPerEpoch, stepsPerRound, checkpointEverySteps, evalEveryEpochs, minEpochs, 1);
        }

        /** The shape of a DINOv2 job; it needs at least its learning-rate warm-up and its frozen-last-layer epochs. */
        public static Shape of(DinoV2Config config) {
            JobConfig job = config.job();
            int minEpochs = Math.max(1, Math.max(config.optim().warmupEpochs(), config.optim().freezeLastLayerEpochs()));
            return new Shape(config.train().officialEpochLength(), job.stepsPerRound(), job.checkpointEverySteps(),
                    job.evalEveryEpochs(), minEpochs, job.shards());
        }
    }

    /** The chosen length and what the measurement predicts it costs. */
    public record Fit(int epochs, long steps, int evaluations, double predictedSeconds, double availableSeconds) {
        public String describe() {
            return String.format(Locale.ROOT, "%d epochs (%d steps, %d k-NN evaluation(s)), predicted to take %.1f of the"
                    + " %.1f minutes left", epochs, steps, evaluations, predictedSeconds / 60, availableSeconds / 60);
        }
    }

    /**
     * The longest schedule that fits {@code secondsLeft} (the budget less what has already run).
     *
     * @throws IllegalArgumentException when not even {@code shape.minEpochs()} fit, in one sentence
     *     that says how long they would take
     */
    public static Fit fit(ScheduleCalibration.Costs costs, Shape shape, double secondsLeft) {
        double usable = secondsLeft * (1 - MARGIN);
        double atMinimum = predictSeconds(costs, shape, shape.minEpochs());
        if (atMinimum > usable) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "the time budget leaves %.1f minutes, but the"
                    + " shortest schedule this configuration allows (%d epochs: its warm-up or frozen last layer) takes"
                    + " about %.1f minutes on this machine; give a larger time budget or shorten the warm-ups",
                    Math.max(0, secondsLeft) / 60, shape.minEpochs(), atMinimum / (60 * (1 - MARGIN))));
        }
        int epochs = shape.minEpochs();
        while (epochs < MAX_EPOCHS && predictSeconds(costs, shape, epochs + 1) <= usable) {
            epochs++;
        }
        return new Fit(epochs, epochs * shape.stepsPerEpoch(), evaluations(shape, epochs),
                predictSeconds(costs, shape, epochs), secondsLeft);
    }

    /** Predicted wall seconds of a job of {@code epochs} epochs, from its start to its end. */
    static double predictSeconds(ScheduleCalibration.Costs costs, Shape shape, int epochs) {
        long total = epochs * shape.stepsPerEpoch();
        return FIXED_SECONDS
                + total * costs.stepSeconds()
                + checkpoints(shape, total) * costs.checkpointSeconds()
                + rounds(shape, total) * (costs.roundStartSeconds() + mergeSeconds(costs, shape))
                + evaluations(shape, epochs) * costs.evaluationSeconds();
    }

    /** A round's merge: each shard's checkpoint read and the global one written, about a checkpoint each. */
    static double mergeSeconds(ScheduleCalibration.Costs costs, Shape shape) {
        return shape.shards() == 1 ? 0 : (shape.shards() + 1) * costs.checkpointSeconds();
    }

    /** The workflow's rounds end at round multiples and at epoch ends (PretrainWorkflowImpl#nextRoundEnd). */
    static long rounds(Shape shape, long totalSteps) {
        return multiplesOfEither(totalSteps, shape.stepsPerEpoch(), shape.stepsPerRound());
    }

    /** A round checkpoints every checkpoint_every_steps and at its end. */
    static long checkpoints(Shape shape, long totalSteps) {
        long c = shape.checkpointEverySteps();
        long roundEnds = rounds(shape, totalSteps);
        // Round ends that are not also multiples of the checkpoint interval add a checkpoint each.
        long shared = multiplesOfEither(totalSteps, lcm(c, shape.stepsPerEpoch()), lcm(c, shape.stepsPerRound()));
        return totalSteps / c + roundEnds - shared;
    }

    /** Evaluations every eval_every_epochs, and one at the end unless the last one fell there; none for -1. */
    static int evaluations(Shape shape, int epochs) {
        // The workflow counts the evaluations it still owes by the same rule.
        return org.dinoj.workflows.BudgetDeadline.evaluationsAfter(0, epochs, shape.evalEveryEpochs());
    }

    /** How many of 1..n are multiples of a or of b. */
    private static long multiplesOfEither(long n, long a, long b) {
        return n / a + n / b - n / lcm(a, b);
    }

    private static long lcm(long a, long b) {
        long x = a;
        long y = b;
        while (y != 0) {
            long t = x % y;
            x = y;
            y = t;
        }
        return a / x * b;
    }
}
