package org.dinoj.workflows;

import java.time.Duration;

/**
 * Timeouts and retries for the training activities. A round can run for hours, so the real guard
 * is the heartbeat timeout: a dead worker is noticed within it and the round is retried.
 *
 * @param taskQueue queue the node pool's workers poll
 * @param heartbeatTimeout a round that has not heartbeated for this long is presumed dead
 * @param roundTimeout start-to-close limit of one attempt of one round
 * @param maxAttempts attempts per activity before the job fails (0 = unlimited)
 */
public record ActivitySettings(String taskQueue, Duration heartbeatTimeout, Duration roundTimeout, int maxAttempts) {
    public static final String DEFAULT_TASK_QUEUE = "dinoj-training";

    public ActivitySettings {
        if (taskQueue == null || taskQueue.isBlank()) {
            throw new IllegalArgumentException("the activity task queue must be named");
        }
        if (heartbeatTimeout.isNegative() || heartbeatTimeout.isZero()) {
            throw new IllegalArgumentException("heartbeat timeout must be positive, got " + heartbeatTimeout);
        }
        if (roundTimeout.compareTo(heartbeatTimeout) < 0) {
            throw new IllegalArgumentException("round timeout " + roundTimeout + " is shorter than the heartbeat timeout "
                    + heartbeatTimeout);
        }
        if (maxAttempts < 0) {
            throw new IllegalArgumentException("maxAttempts must be >= 0 (0 = unlimited), got " + maxAttempts);
        }
    }

    public static ActivitySettings defaults() {
        return new ActivitySettings(DEFAULT_TASK_QUEUE, Duration.ofSeconds(60), Duration.ofHours(12), 0);
    }
}
