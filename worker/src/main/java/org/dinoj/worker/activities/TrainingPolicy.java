package org.dinoj.worker.activities;

/**
 * Per-process rules of the training activities.
 *
 * @param keepCheckpoints checkpoints kept per shard (and global), newest first; older ones are deleted
 * @param refusalsBeforeReopen non-finite steps in a row after which the session is reopened from its
 *     last good checkpoint
 * @param maxLearningRateHalvings halvings of the learning rate after which a round that still
 *     diverges fails for good
 */
public record TrainingPolicy(int keepCheckpoints, int refusalsBeforeReopen, int maxLearningRateHalvings) {
    public TrainingPolicy {
        if (keepCheckpoints < 1) {
            throw new IllegalArgumentException("keep at least 1 checkpoint, got " + keepCheckpoints);
        }
        if (refusalsBeforeReopen < 1) {
            throw new IllegalArgumentException("refusals before reopening must be >= 1, got " + refusalsBeforeReopen);
        }
        if (maxLearningRateHalvings < 0) {
            throw new IllegalArgumentException("max learning-rate halvings must be >= 0, got " + maxLearningRateHalvings);
        }
    }

    public static TrainingPolicy defaults() {
        return new TrainingPolicy(3, 3, 4);
    }
}
