package org.dinoj.workflows;

/**
 * A round of one shard: its checkpoint at the round's end step, or at an earlier step when the
 * job asked it to stop (pause, cancel), its last metrics, and what happened on the way (resume
 * point, refused steps, recoveries).
 */
public record TrainRoundResult(int shard, CheckpointRef checkpoint, TrainingMetrics metrics, RoundEvents events) {

    /** Whether the round trained up to {@code endStep}, rather than stopping early on request. */
    public boolean reached(long endStep) {
        return checkpoint != null && checkpoint.step() >= endStep;
    }
}
