package org.dinoj.workflows;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.ArrayList;
import java.util.List;

/**
 * When a job sized to a time budget must end, and what the workflow needs to keep to it once the
 * machine trains slower than it measured: at each round's end the rest of the job is predicted from
 * the rounds' own pace, and a job that would overrun is shortened (as {@code set-epochs} shortens
 * one, so its schedules follow the new length).
 *
 * @param atMillis workflow time by which the job should have ended: its start plus its budget
 * @param minEpochs the shortest length its configuration allows (warm-ups, frozen last layer)
 * @param evaluationSeconds what one k-NN evaluation takes: measured by the sizing, then by the
 *     workflow at each evaluation
 * @param recentPaces wall seconds a step took in each of the last rounds (at most {@link #PACES}),
 *     their checkpoints and starts included, oldest first
 * @param sizing how the budget sized the job, which each shortening's reason is added to anew
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BudgetDeadline(long atMillis, int minEpochs, double evaluationSeconds, List<Double> recentPaces,
                             String sizing) {
    /** Share of the time left held back for a slower round than the last one. */
    static final double MARGIN = 0.03;
    /** The command's end after the workflow's: it sees the result and stops its worker and servers. */
    static final double CLOSING_SECONDS = 5;
    /** Rounds whose pace is kept: one round slowed by a crash and its retry is outvoted by two. */
    static final int PACES = 3;

    public BudgetDeadline {
        recentPaces = recentPaces == null ? List.of() : List.copyOf(recentPaces);
    }

    public static BudgetDeadline of(long atMillis, SizedSchedule sized) {
        return new BudgetDeadline(atMillis, sized.minEpochs(), sized.evaluationSeconds(), List.of(), sized.description());
    }

    BudgetDeadline withEvaluationSeconds(double seconds) {
        return new BudgetDeadline(atMillis, minEpochs, seconds, recentPaces, sizing);
    }

    BudgetDeadline withRoundPace(double secondsPerStep) {
        List<Double> paces = new ArrayList<>(recentPaces);
        paces.add(secondsPerStep);
        return new BudgetDeadline(atMillis, minEpochs, evaluationSeconds,
                paces.subList(Math.max(0, paces.size() - PACES), paces.size()), sizing);
    }

    /**
     * The pace the rest of the job is predicted at: the median of the last {@link #PACES} rounds, so
     * that one slow round (a crash and its retry, a first round still warming up) does not shorten
     * the job and two in a row do; -1 until that many rounds were timed.
     */
    public double pace() {
        if (recentPaces.size() < PACES) {
            return -1;
        }
        return recentPaces.stream().sorted().toList().get(PACES / 2);
    }

    /**
     * The length the job should have now: {@code epochs} when the rest is predicted to end in time
     * at {@code secondsPerStep}, else the longest shorter one that is, but never shorter than the
     * epochs already begun or than {@code minEpochs}.
     */
    public int epochsWithin(long nowMillis, long step, long stepsPerEpoch, int epochs, int evalEveryEpochs,
                            double secondsPerStep) {
        double usable = (atMillis - nowMillis) / 1000.0 * (1 - MARGIN) - CLOSING_SECONDS;
        int shortest = (int) Math.min(epochs, Math.max(Math.max(1, minEpochs), (step + stepsPerEpoch - 1) / stepsPerEpoch));
        int fitting = epochs;
        while (fitting > shortest
                && predictSeconds(step, stepsPerEpoch, fitting, evalEveryEpochs, secondsPerStep) > usable) {
            fitting--;
        }
        return fitting;
    }

    /** Predicted wall seconds from {@code step} to the end of a job {@code epochs} long. */
    public double predictSeconds(long step, long stepsPerEpoch, int epochs, int evalEveryEpochs, double secondsPerStep) {
        long rest = Math.max(0, epochs * stepsPerEpoch - step);
        return rest * secondsPerStep + evaluationsAfter(step / stepsPerEpoch, epochs, evalEveryEpochs) * evaluationSeconds;
    }

    /**
     * The evaluations still to come after {@code completedEpochs}: every {@code every} epochs and one
     * at the end unless the last one fell there; none for -1. From 0, a whole job's (the sizing's count).
     */
    public static int evaluationsAfter(long completedEpochs, int epochs, int every) {
        if (every < 0) {
            return 0;
        }
        if (every == 0) {
            return 1;
        }
        long due = epochs / every - completedEpochs / every;
        return (int) (due + (epochs % every == 0 ? 0 : 1));
    }
}
