package org.dinoj.workflows;

/**
 * What the progress query returns: where the job is, how it is doing, and when it will end.
 *
 * @param etaSeconds estimated seconds to the end at the recent pace, or -1 when unknown
 */
public record Progress(String jobId, JobStatus status, int epoch, int epochs, long step, long totalSteps,
                       TrainingMetrics lastMetrics, EvalResult lastEval, CheckpointRef lastCheckpoint,
                       long etaSeconds) {

    /** One line for people: "epoch 3/100, step 412/1250, loss 6.21, 48 img/s". */
    public String summary() {
        StringBuilder s = new StringBuilder();
        s.append(status.name().toLowerCase()).append(": epoch ").append(epoch).append('/').append(epochs)
                .append(", step ").append(step).append('/').append(totalSteps);
        if (lastMetrics != null) {
            s.append(String.format(", loss %.4g, %.1f img/s", lastMetrics.loss(), lastMetrics.imagesPerSecond()));
        }
        if (lastEval != null) {
            s.append(String.format(", k-NN top-1 %.2f%%", lastEval.top1()));
        }
        if (etaSeconds >= 0) {
            s.append(", ETA ").append(formatDuration(etaSeconds));
        }
        return s.toString();
    }

    static String formatDuration(long seconds) {
        long h = seconds / 3600;
        long m = (seconds % 3600) / 60;
        long sec = seconds % 60;
        return h > 0 ? String.format("%dh%02dm", h, m) : String.format("%dm%02ds", m, sec);
    }
}
