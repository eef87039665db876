package org.dinoj.workflows;

/**
 * Heartbeat details of a running TrainRound, as the Temporal UI shows them. A retried attempt
 * resumes from {@code lastCheckpoint}.
 */
public record RoundHeartbeat(long step, long endStep, double loss, double imagesPerSecond, CheckpointRef lastCheckpoint,
                             RoundEvents events) {
}
