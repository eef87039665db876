package org.dinoj.worker.activities;

import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heartbeats an activity from a virtual thread while a long call that cannot heartbeat itself runs
 * (a merge of large checkpoints, a k-NN evaluation of minutes), with "what, elapsed seconds" as
 * details. The heartbeat timeout applies to every activity from its start, heartbeating or not:
 * without this, a MergeRound or Evaluate that takes longer than {@code job.heartbeat_timeout_seconds}
 * would be timed out and retried forever. A dead worker still stops heartbeating, so its activity is
 * retried as before. Heartbeats stop when the call ends or the server answers that the activity was
 * cancelled or timed out (the call itself decides how it ends).
 */
final class BackgroundHeartbeat implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BackgroundHeartbeat.class);

    private final Thread thread;

    private BackgroundHeartbeat(Thread thread) {
        this.thread = thread;
    }

    /** Starts heartbeating every third of the activity's heartbeat timeout (none when it has no timeout). */
    static BackgroundHeartbeat start(ActivityExecutionContext context, String what) {
        Duration timeout = context.getInfo().getHeartbeatTimeout();
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            return new BackgroundHeartbeat(null);
        }
        long periodMillis = Math.max(10, timeout.toMillis() / 3);
        long start = System.nanoTime();
        return new BackgroundHeartbeat(Thread.ofVirtual().name("activity-heartbeat").start(() -> {
            while (true) {
                try {
                    Thread.sleep(periodMillis);
                    context.heartbeat(what + ", " + (System.nanoTime() - start) / 1_000_000_000L + " s");
                } catch (InterruptedException e) {
                    return;
                } catch (ActivityCompletionException e) {
                    log.warn("{}: the server no longer accepts heartbeats ({}); stopping them", what, e.toString());
                    return;
                }
            }
        }));
    }

    @Override
    public void close() {
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
