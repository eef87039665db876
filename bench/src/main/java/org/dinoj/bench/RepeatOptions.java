package org.dinoj.bench;

import picocli.CommandLine.Option;

/** {@code --runs} and {@code --warmup} of the kernel benchmarks (a picocli mixin). */
final class RepeatOptions {
    @Option(names = "--runs", defaultValue = "10", description = "Timed runs per case; the median is reported (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed runs per case (default ${DEFAULT-VALUE}).")
    int warmup;

    /** Throws when the counts cannot give a median. */
    void check() {
        if (runs < 1 || warmup < 0) {
            throw new IllegalArgumentException("--runs must be at least 1 and --warmup at least 0, got " + runs + " and " + warmup);
        }
    }

    /** The first line of a text report: what ran, how often, on how many threads. */
    String header(String bench, int threads) {
        return bench + ": median of " + runs + " runs after " + warmup + " warm-up runs, " + threads + " threads";
    }

    /**
     * Runs each op {@code warmup} times, then {@code runs} timed rounds with the ops interleaved
     * (so that all see the same machine load); returns each op's median seconds.
     */
    double[] medianSeconds(Runnable... ops) {
        check();
        for (int i = 0; i < warmup; i++) {
            for (Runnable op : ops) {
                op.run();
            }
        }
        double[][] seconds = new double[ops.length][runs];
        for (int i = 0; i < runs; i++) {
            for (int j = 0; j < ops.length; j++) {
                seconds[j][i] = Timing.seconds(ops[j]);
            }
        }
        double[] medians = new double[ops.length];
        for (int j = 0; j < ops.length; j++) {
            medians[j] = Timing.median(seconds[j]);
        }
        return medians;
    }
}
