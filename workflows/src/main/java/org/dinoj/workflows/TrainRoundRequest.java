package org.dinoj.workflows;

/**
 * One shard's part of one round: train from {@code startFrom} (null = fresh initialisation from
 * the config's seed) up to global step {@code endStep}, checkpointing every
 * {@code checkpointEverySteps}.
 */
public record TrainRoundRequest(String jobId, String config, String checkpointStore, int round, int shard,
                                int shards, CheckpointRef startFrom, long endStep, long checkpointEverySteps) {
}
