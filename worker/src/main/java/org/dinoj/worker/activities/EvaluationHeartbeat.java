package org.dinoj.worker.activities;

import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heartbeats an activity from a daemon thread while its thread is busy in a call that cannot
 * heartbeat itself (the k-NN evaluation, minutes long), at a quarter of the activity's heartbeat
 * timeout, with "what, elapsed seconds" as details. Heartbeats stop when the attempt is closed, or
 * when the server answers that the activity was cancelled or timed out.
 */
final class EvaluationHeartbeat implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EvaluationHeartbeat.class);
    private static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

    private final ScheduledExecutorService timer;

    private EvaluationHeartbeat(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    static EvaluationHeartbeat start(ActivityExecutionContext context, String what) {
        Duration timeout = context.getInfo().getHeartbeatTimeout();
        Duration interval = timeout == null || timeout.isZero() ? DEFAULT_INTERVAL : timeout.dividedBy(4);
        long periodMillis = Math.max(10, interval.toMillis());
        long start = System.nanoTime();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "evaluation-heartbeat");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> {
            try {
                context.heartbeat(what + ", " + (System.nanoTime() - start) / 1_000_000_000L + " s");
            } catch (ActivityCompletionException e) {
                log.warn("{}: the server no longer accepts heartbeats ({}); stopping them", what, e.toString());
                timer.shutdown();
            } catch (RuntimeException e) {
                log.warn("{}: heartbeat failed: {}", what, e.toString());
            }
        }, 0, periodMillis, TimeUnit.MILLISECONDS);
        return new EvaluationHeartbeat(timer);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
