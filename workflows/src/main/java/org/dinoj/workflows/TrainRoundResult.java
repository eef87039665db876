package org.dinoj.workflows;

/** A finished round of one shard: its checkpoint at the round's end step and its last metrics. */
public record TrainRoundResult(int shard, CheckpointRef checkpoint, TrainingMetrics metrics) {
}
