package org.dinoj.model.ssl;

/**
 * dinov2's {@code CosineScheduler}, evaluated per global iteration without a table: {@code freezeIters}
 * zeros, then a linear warm-up {@code linspace(startWarmupValue, baseValue, warmupIters)} (both ends
 * included), then {@code final + 0.5 (base - final)(1 + cos(pi i / L))} for {@code i = 0..L-1},
 * {@code L = totalIters - warmupIters - freezeIters}; {@code finalValue} from {@code totalIters} on.
 */
public final class CosineSchedule {
    private final double baseValue;
    private final double finalValue;
    private final long totalIters;
    private final long warmupIters;
    private final double startWarmupValue;
    private final long freezeIters;

    public CosineSchedule(double baseValue, double finalValue, long totalIters, long warmupIters,
                          double startWarmupValue, long freezeIters) {
        if (totalIters < 0 || warmupIters < 0 || freezeIters < 0) {
            throw new IllegalArgumentException("schedule lengths must be >= 0, got total " + totalIters + ", warm-up "
                    + warmupIters + ", freeze " + freezeIters);
        }
        if (warmupIters + freezeIters > totalIters) {
            throw new IllegalArgumentException("schedule warm-up (" + warmupIters + ") plus freeze (" + freezeIters
                    + ") iterations exceed its " + totalIters + " total iterations; shorten the warm-up");
        }
        this.baseValue = baseValue;
        this.finalValue = finalValue;
        this.totalIters = totalIters;
        this.warmupIters = warmupIters;
        this.startWarmupValue = startWarmupValue;
        this.freezeIters = freezeIters;
    }

    /** Cosine from {@code baseValue} to {@code finalValue} over {@code totalIters}, no warm-up. */
    public static CosineSchedule cosine(double baseValue, double finalValue, long totalIters) {
        return new CosineSchedule(baseValue, finalValue, totalIters, 0, 0, 0);
    }

    /** The value at global iteration {@code iteration} (0-based). */
    public double at(long iteration) {
        if (iteration < 0) {
            throw new IllegalArgumentException("schedule iteration " + iteration + " is negative");
        }
        if (iteration >= totalIters) {
            return finalValue;
        }
        if (iteration < freezeIters) {
            return 0;
        }
        long i = iteration - freezeIters;
        if (i < warmupIters) {
            // numpy.linspace with one point returns its start.
            return warmupIters == 1 ? startWarmupValue
                    : startWarmupValue + (baseValue - startWarmupValue) * i / (warmupIters - 1);
        }
        i -= warmupIters;
        long cosineLength = totalIters - warmupIters - freezeIters;
        return finalValue + 0.5 * (baseValue - finalValue) * (1 + Math.cos(Math.PI * i / cosineLength));
    }

    public long totalIters() {
        return totalIters;
    }

    public double finalValue() {
        return finalValue;
    }
}
