package org.dinoj.workflows;

/**
 * Everything a pretraining job needs to be run again from scratch: its identity, the resolved
 * training configuration (passed verbatim to activities), and how it is cut into rounds.
 *
 * @param jobId workflow id and checkpoint sub-directory; stable across restarts
 * @param jobName what a person sees in the Temporal UI
 * @param config the resolved training configuration (YAML text, small)
 * @param configSummary one line for the memo, e.g. "vit_tiny_p4 fashion-mnist bf16 batch 64"
 * @param checkpointStore URI of the checkpoint directory of this job
 * @param baseCheckpoint checkpoint to start from (retraining), or null for a fresh start
 * @param shards data shards = nodes training in parallel per round (1 = the single-node recipe)
 * @param epochs total epochs
 * @param stepsPerEpoch optimizer steps per epoch
 * @param stepsPerRound steps per TrainRound activity
 * @param checkpointEverySteps checkpoint interval inside a round
 * @param evalEveryEpochs run k-NN every this many epochs (0 = only at the end, -1 = never)
 * @param roundsPerRun rounds before the workflow continues as new (keeps history short)
 * @param timeBudgetSeconds wall seconds the job should end within, from its workflow's start: the
 *     workflow sizes {@code epochs} to it on a worker before training (for several shards, that
 *     worker's pace for each, plus the merges), then clears it and keeps to the deadline; 0 = none
 */
public record JobSpec(
        String jobId,
        String jobName,
        String config,
        String configSummary,
        String checkpointStore,
        CheckpointRef baseCheckpoint,
        int shards,
        int epochs,
        long stepsPerEpoch,
        long stepsPerRound,
        long checkpointEverySteps,
        int evalEveryEpochs,
        int roundsPerRun,
        ActivitySettings activities,
        double timeBudgetSeconds) {

    public JobSpec {
        require(jobId != null && !jobId.isBlank(), "a job needs an id");
        require(shards >= 1, "shards must be >= 1, got " + shards);
        require(epochs >= 1, "epochs must be >= 1, got " + epochs);
        require(stepsPerEpoch >= 1, "steps per epoch must be >= 1, got " + stepsPerEpoch);
        require(stepsPerRound >= 1, "steps per round must be >= 1, got " + stepsPerRound);
        require(checkpointEverySteps >= 1, "checkpoint interval must be >= 1 step, got " + checkpointEverySteps);
        require(evalEveryEpochs >= -1, "evalEveryEpochs must be >= -1, got " + evalEveryEpochs);
        require(roundsPerRun >= 1, "roundsPerRun must be >= 1, got " + roundsPerRun);
        require(activities != null, "activity settings are required");
        require(timeBudgetSeconds >= 0 && Double.isFinite(timeBudgetSeconds),
                "the time budget must be >= 0 seconds, got " + timeBudgetSeconds);
    }

    /**
     * Where the round that starts at {@code step} ends: at the next round multiple, epoch end or the
     * job's end, so that evaluations fall on epoch boundaries.
     */
    public long roundEndAfter(long step) {
        long roundEnd = (step / stepsPerRound + 1) * stepsPerRound;
        long epochEnd = (step / stepsPerEpoch + 1) * stepsPerEpoch;
        return Math.min(Math.min(roundEnd, epochEnd), totalSteps());
    }

    public long totalSteps() {
        return epochs * stepsPerEpoch;
    }

    /** One line for people: "70 epochs x 100 steps, 1 shard(s), rounds of 500 steps". */
    public static String summary(int epochs, long stepsPerEpoch, int shards, long stepsPerRound) {
        return epochs + " epochs x " + stepsPerEpoch + " steps, " + shards + " shard(s), rounds of " + stepsPerRound
                + " steps";
    }

    /** The same job with another number of epochs (the update handler uses it); a pending time budget stays. */
    public JobSpec withEpochs(int newEpochs) {
        return resized(newEpochs, timeBudgetSeconds);
    }

    /** The job as its time budget sized it: {@code newEpochs} long, with no budget left to size. */
    public JobSpec sizedTo(int newEpochs) {
        return resized(newEpochs, 0);
    }

    private JobSpec resized(int newEpochs, double budget) {
        // The summary names the length only where it was made from it.
        String newSummary = configSummary != null && configSummary.equals(summary(epochs, stepsPerEpoch, shards,
                stepsPerRound)) ? summary(newEpochs, stepsPerEpoch, shards, stepsPerRound) : configSummary;
        return new JobSpec(jobId, jobName, config, newSummary, checkpointStore, baseCheckpoint, shards, newEpochs,
                stepsPerEpoch, stepsPerRound, checkpointEverySteps, evalEveryEpochs, roundsPerRun, activities, budget);
    }

    /**
     * The job with another configuration text, for the trainer only: the caller keeps what this spec
     * was cut from (the job section, the epoch length and count) unchanged, as a retry's overrides
     * of the optim, teacher and compute sections and data.max_bad_fraction do.
     */
    public JobSpec withConfig(String newConfig) {
        return new JobSpec(jobId, jobName, newConfig, configSummary, checkpointStore, baseCheckpoint, shards, epochs,
                stepsPerEpoch, stepsPerRound, checkpointEverySteps, evalEveryEpochs, roundsPerRun, activities,
                timeBudgetSeconds);
    }

    /** The same job under another id and checkpoint store (a scheduled run of a template). */
    public JobSpec forJob(String newJobId, String newCheckpointStore) {
        return new JobSpec(newJobId, newJobId, config, configSummary, newCheckpointStore, baseCheckpoint, shards, epochs,
                stepsPerEpoch, stepsPerRound, checkpointEverySteps, evalEveryEpochs, roundsPerRun, activities,
                timeBudgetSeconds);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
