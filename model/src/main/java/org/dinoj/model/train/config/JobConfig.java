package org.dinoj.model.train.config;

/**
 * How the orchestration cuts a job into rounds ({@code job.*}). The trainer itself reads none of
 * it; the keys are declared here so that one configuration file is checked as a whole. The job's
 * length is not here: it is {@code optim.epochs} x {@code train.OFFICIAL_EPOCH_LENGTH}.
 *
 * @param shards                  data shards = workers training in parallel per round (DiLoCo when > 1)
 * @param stepsPerRound           steps per round (DiLoCo's H)
 * @param checkpointEverySteps    checkpoint interval inside a round
 * @param evalEveryEpochs         k-NN every this many epochs (0: only at the end)
 * @param roundsPerRun            rounds before the workflow continues as new
 * @param heartbeatTimeoutSeconds a round silent for this long is retried
 * @param roundTimeoutHours       limit of one round
 * @param maxAttempts             attempts per round (0: unlimited)
 * @param taskQueue               Temporal task queue of the training workers
 * @param outerLr                 DiLoCo outer SGD learning rate
 * @param outerMomentum           DiLoCo outer Nesterov momentum
 */
public record JobConfig(int shards, long stepsPerRound, long checkpointEverySteps,
                        int evalEveryEpochs, int roundsPerRun, int heartbeatTimeoutSeconds, int roundTimeoutHours,
                        int maxAttempts, String taskQueue, double outerLr, double outerMomentum) {

    public JobConfig {
        if (shards < 1 || stepsPerRound < 1 || checkpointEverySteps < 1 || roundsPerRun < 1
                || heartbeatTimeoutSeconds < 1 || roundTimeoutHours < 1) {
            throw new IllegalArgumentException("job.shards, steps_per_round, checkpoint_every_steps, "
                    + "rounds_per_run, heartbeat_timeout_seconds and round_timeout_hours must all be >= 1");
        }
        if (evalEveryEpochs < 0 || maxAttempts < 0) {
            throw new IllegalArgumentException("job.eval_every_epochs (" + evalEveryEpochs + ") and job.max_attempts ("
                    + maxAttempts + ") must be >= 0");
        }
        if (!(outerLr > 0) || !(outerMomentum >= 0 && outerMomentum < 1)) {
            throw new IllegalArgumentException("job.outer_lr (" + outerLr + ") must be positive and job.outer_momentum ("
                    + outerMomentum + ") lie in [0, 1)");
        }
    }

    public static JobConfig defaults() {
        return new JobConfig(1, 500, 100, 10, 20, 30, 12, 0, "dinoj-training", 0.7, 0.9);
    }
}
