package org.dinoj.workflows;

import java.util.Locale;

/**
 * What the progress query returns: where the job is, how it is doing, and when it will end.
 *
 * @param epoch epochs completed
 * @param etaSeconds estimated seconds to the end at the recent pace, or -1 when unknown
 * @param refusedSteps non-finite steps refused so far (nothing applied; see {@link JobState#refusedSteps})
 * @param schedule how the time budget sized the job ({@link JobState#schedule}), or null
 */
public record Progress(String jobId, JobStatus status, int epoch, int epochs, long step, long totalSteps,
                       TrainingMetrics lastMetrics, EvalResult lastEval, CheckpointRef lastCheckpoint,
                       long etaSeconds, int refusedSteps, String schedule) {

    /**
     * One line for people: "running: epoch 4/100, step 412/1250, loss 6.210, lr 0.00100, 48.0 img/s";
     * the epoch is the one under way (as pretrain's progress line counts), the learning rate the one
     * applied, so a halving after refused steps shows in it; an ETA only while it trains.
     */
    public String summary() {
        StringBuilder s = new StringBuilder();
        int shownEpoch = status == JobStatus.COMPLETED ? epoch : Math.min(epochs, epoch + 1);
        s.append(status.name().toLowerCase()).append(": epoch ").append(shownEpoch).append('/').append(epochs)
                .append(", step ").append(step).append('/').append(totalSteps);
        if (lastMetrics != null) {
            s.append(String.format(Locale.ROOT, ", loss %.4g, lr %.3g, %.1f img/s", lastMetrics.loss(), lastMetrics.learningRate(),
                    lastMetrics.imagesPerSecond()));
        }
        if (refusedSteps > 0) {
            s.append(", ").append(refusedSteps).append(refusedSteps == 1 ? " non-finite step refused" : " non-finite steps refused");
        }
        if (lastEval != null) {
            s.append(String.format(Locale.ROOT, ", k-NN top-1 %.2f%%", lastEval.top1()));
        }
        if (etaSeconds >= 0 && status == JobStatus.RUNNING) {
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
