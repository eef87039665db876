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
}
