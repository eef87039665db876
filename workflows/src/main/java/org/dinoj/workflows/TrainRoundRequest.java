package org.dinoj.workflows;

/**
 * One shard's part of one round: train from {@code startFrom} (null = fresh initialisation from
 * the config's seed) up to global step {@code endStep}, checkpointing every
 * {@code checkpointEverySteps}. {@code epochs} is the job's length as the workflow holds it now
 * (the setEpochs update changes it), which the trainer's schedules follow; 0 leaves the
 * configuration's {@code optim.epochs} (requests recorded before the field existed).
 */
public record TrainRoundRequest(String jobId, String config, String checkpointStore, int round, int shard,
                                int shards, CheckpointRef startFrom, long endStep, long checkpointEverySteps, int epochs) {
}
