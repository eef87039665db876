package org.dinoj.model.train.config;

/**
 * How the orchestration cuts a job into rounds and runs them ({@code job.*}; defaults in brackets).
 * The trainer itself reads none of it; the keys are declared here so that one configuration file is
 * checked as a whole, and the worker reads the section into this record too. The job's length is
 * not here: it is {@code optim.epochs} x {@code train.OFFICIAL_EPOCH_LENGTH}.
 *
 * @param shards                  [1] data shards = workers training in parallel per round (DiLoCo when > 1)
 * @param stepsPerRound           [500] steps per TrainRound activity (DiLoCo's H)
 * @param checkpointEverySteps    [100] checkpoint interval inside a round
 * @param evalEveryEpochs         [10] k-NN every this many epochs (0: only at the end; -1: never, e.g. for a
 *                                dataset without labels)
 * @param roundsPerRun            [20] rounds before the workflow continues as new
 * @param heartbeatTimeoutSeconds [30] a round silent for this long is retried elsewhere; a pause or
 *                                cancel reaches a round within a quarter of it (at most 2 s)
 * @param roundTimeoutHours       [12] limit of one round
 * @param maxAttempts             [0: unlimited] attempts per round
 * @param taskQueue               [dinoj-training] Temporal task queue of the training workers
 * @param outerLr                 [0.7] DiLoCo outer Nesterov SGD learning rate
 * @param outerMomentum           [0.9] DiLoCo outer Nesterov momentum
 */
public record JobConfig(int shards, long stepsPerRound, long checkpointEverySteps,
                        int evalEveryEpochs, int roundsPerRun, int heartbeatTimeoutSeconds, int roundTimeoutHours,
                        int maxAttempts, String taskQueue, double outerLr, double outerMomentum) {

    /** {@code job.eval_every_epochs} of a job that never runs k-NN, not even at the end. */
    public static final int NEVER_EVALUATE = -1;

    public JobConfig {
        atLeast("job.shards", shards, 1);
        atLeast("job.steps_per_round", stepsPerRound, 1);
        atLeast("job.checkpoint_every_steps", checkpointEverySteps, 1);
        atLeast("job.rounds_per_run", roundsPerRun, 1);
        atLeast("job.heartbeat_timeout_seconds", heartbeatTimeoutSeconds, 1);
        atLeast("job.round_timeout_hours", roundTimeoutHours, 1);
        atLeast("job.eval_every_epochs", evalEveryEpochs, NEVER_EVALUATE);
        atLeast("job.max_attempts", maxAttempts, 0);
        if (!(outerLr > 0)) {
            throw new IllegalArgumentException("job.outer_lr must be positive, got " + outerLr);
        }
        if (!(outerMomentum >= 0 && outerMomentum < 1)) {
            throw new IllegalArgumentException("job.outer_momentum must lie in [0, 1), got " + outerMomentum);
        }
    }

    /** One sentence naming the key and the value it got. */
    private static void atLeast(String key, long value, long minimum) {
        if (value < minimum) {
            throw new IllegalArgumentException(key + " must be >= " + minimum + ", got " + value);
        }
    }

    public static JobConfig defaults() {
        return new JobConfig(1, 500, 100, 10, 20, 30, 12, 0, "dinoj-training", 0.7, 0.9);
    }
}
