package org.dinoj.worker.cli;

import java.util.List;

/** What {@code --time-budget MINUTES} may be, for the commands that start jobs with one. */
final class TimeBudgetOption {
    private TimeBudgetOption() {
    }

    /**
     * The budget in seconds, 0 without one.
     *
     * @throws IllegalArgumentException for a budget that is not positive, or one given together with
     *     {@code --set optim.epochs}, which the budget chooses itself
     */
    static double seconds(Double minutes, List<String> overrides) {
        if (minutes == null) {
            return 0;
        }
        if (!(minutes > 0)) {
            throw new IllegalArgumentException("--time-budget must be a positive number of minutes, got " + minutes);
        }
        if (overrides.stream().anyMatch(o -> o.split("=", 2)[0].strip().equals("optim.epochs"))) {
            throw new IllegalArgumentException("--time-budget chooses optim.epochs itself: drop --set optim.epochs or"
                    + " the time budget");
        }
        return minutes * 60;
    }
}
