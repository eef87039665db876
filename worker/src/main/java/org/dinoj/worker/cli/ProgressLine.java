package org.dinoj.worker.cli;

import java.util.List;
import org.dinoj.worker.jobs.JobService;
import org.dinoj.workflows.Progress;
import org.dinoj.workflows.RoundHeartbeat;

/**
 * One progress line: epoch, step (live, from the running rounds' heartbeats), a bar, loss,
 * images/s and the ETA at the pace measured by the caller. And, while a round fails and Temporal
 * retries it, a note with the attempt and why the last one failed, so a job stuck at a step says so.
 */
final class ProgressLine {
    private static final int BAR = 24;

    private ProgressLine() {
    }

    /** The slowest running shard's step, else the job's. */
    static long liveStep(Progress p, List<JobService.PendingRound> rounds) {
        long step = Long.MAX_VALUE;
        for (JobService.PendingRound r : rounds) {
            if (r.heartbeat() != null) {
                step = Math.min(step, r.heartbeat().step());
            }
        }
        return step == Long.MAX_VALUE ? p.step() : Math.max(step, p.step());
    }

    static String render(Progress p, List<JobService.PendingRound> rounds, double stepsPerSecond) {
        long step = liveStep(p, rounds);
        double loss = Double.NaN;
        double imagesPerSecond = 0;
        for (JobService.PendingRound r : rounds) {
            RoundHeartbeat hb = r.heartbeat();
            if (hb != null && Double.isFinite(hb.loss())) {
                loss = Double.isNaN(loss) ? hb.loss() / rounds.size() : loss + hb.loss() / rounds.size();
                imagesPerSecond += hb.imagesPerSecond();
            }
        }
        if (Double.isNaN(loss) && p.lastMetrics() != null) {
            loss = p.lastMetrics().loss();
            imagesPerSecond = p.lastMetrics().imagesPerSecond();
        }
        double fraction = p.totalSteps() == 0 ? 0 : Math.min(1, (double) step / p.totalSteps());
        int filled = (int) Math.round(fraction * BAR);
        long epochLength = p.epochs() == 0 ? 1 : Math.max(1, p.totalSteps() / p.epochs());
        StringBuilder s = new StringBuilder();
        s.append(String.format("epoch %d/%d  step %d/%d [", Math.min(p.epochs(), step / epochLength + 1), p.epochs(), step,
                p.totalSteps()));
        s.append("#".repeat(filled)).append("-".repeat(BAR - filled)).append(String.format("] %3.0f%%", fraction * 100));
        s.append(Double.isFinite(loss) ? String.format("  loss %.4f", loss) : "  loss -");
        s.append(String.format("  %.1f img/s", imagesPerSecond));
        long remaining = p.totalSteps() - step;
        if (stepsPerSecond > 0) {
            s.append("  ETA ").append(duration(Math.round(remaining / stepsPerSecond)));
        } else if (p.etaSeconds() >= 0) {
            s.append("  ETA ").append(duration(p.etaSeconds()));
        }
        if (p.lastEval() != null) {
            s.append(String.format("  k-NN %.1f%%", p.lastEval().top1()));
        }
        s.append("  ").append(p.status().name().toLowerCase());
        return s.toString();
    }

    /**
     * "round ID: attempt N-1 failed and Temporal retries it (attempt N): why" for the first round
     * past its first attempt; empty when none is. The caller prints it once per attempt, on its own
     * line (a failure is longer than a terminal's width). Whether the current attempt trains again
     * is the progress line's to show: the service reports a round waiting out its retry back-off as
     * started on some servers, so the note says only what happened.
     */
    static java.util.Optional<String> retryNote(List<JobService.PendingRound> rounds) {
        return rounds.stream().filter(r -> r.attempt() > 1 && r.lastFailure() != null).findFirst()
                .map(r -> r.name() + "; attempt " + (r.attempt() - 1) + " failed and Temporal retries it"
                        + " (attempt " + r.attempt() + "): " + r.lastFailure());
    }

    static String duration(long seconds) {
        long h = seconds / 3600;
        long m = seconds % 3600 / 60;
        long sec = seconds % 60;
        return h > 0 ? String.format("%dh%02dm", h, m) : String.format("%dm%02ds", m, sec);
    }

    /**
     * What a schedule says that was not shown yet: all of it the first time, then the clause the
     * workflow added or rewrote (why it shortened a job to keep to its time budget). Clauses are
     * joined by "; "; a change anywhere before the last shown clause shows the schedule whole.
     */
    static String scheduleNews(String shown, String schedule) {
        if (shown == null) {
            return schedule;
        }
        if (schedule.startsWith(shown + "; ")) {
            return schedule.substring(shown.length() + 2);
        }
        int lastClause = shown.lastIndexOf("; ");
        if (lastClause >= 0 && schedule.startsWith(shown.substring(0, lastClause + 2))) {
            return schedule.substring(lastClause + 2);
        }
        return schedule;
    }
}
