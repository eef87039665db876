package org.dinoj.workflows;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The work a pretraining job delegates to workers. Names are what a person reads in the Temporal
 * UI. Implementations live in the worker module.
 */
@ActivityInterface
public interface TrainingActivities {

    /** Trains one shard for one round, heartbeating {@link RoundHeartbeat} every step. */
    @ActivityMethod(name = "TrainRound")
    TrainRoundResult trainRound(TrainRoundRequest request);

    /** Merges the shard checkpoints of a round into the next global checkpoint. */
    @ActivityMethod(name = "MergeRound")
    CheckpointRef mergeRound(MergeRoundRequest request);

    /** Runs k-NN on the configured evaluation set. */
    @ActivityMethod(name = "Evaluate")
    EvalResult evaluate(EvaluateRequest request);

    /**
     * The newest checkpoint of a shard that verifies, or null when there is none. Used after a
     * round was interrupted (pause, cancel) to learn where each shard stopped.
     */
    @ActivityMethod(name = "LatestCheckpoint")
    CheckpointRef latestCheckpoint(String jobId, String checkpointStore, int shard);

    /**
     * Times the job's configuration on this worker and returns the longest schedule that fits the
     * request's seconds; refuses (non-retryable) a budget too short for the warm-up epochs.
     */
    @ActivityMethod(name = "SizeSchedule")
    SizedSchedule sizeSchedule(SizeScheduleRequest request);
}
