package org.dinoj.workflows;

/**
 * A finished round of one shard: its checkpoint at the round's end step, its last metrics, and
 * what happened on the way (resume point, refused steps, recoveries).
 */
public record TrainRoundResult(int shard, CheckpointRef checkpoint, TrainingMetrics metrics, RoundEvents events) {
}
