package org.dinoj.model.nn;

import java.util.random.RandomGenerator;

/**
 * dinov2's "efficient stochastic depth" (drop_add_residual_stochastic_depth): a residual branch is
 * computed only for {@code k = max(int(B * (1 - rate)), 1)} samples of the batch drawn without
 * replacement, and added to those samples scaled by {@code B / k}; the other samples skip it.
 */
public final class StochasticDepth {
    private StochasticDepth() {
    }

    /** {@code max(int(batch * (1 - rate)), 1)}, as dinov2 (Python's int truncates toward zero). */
    public static int keptSamples(int batch, double rate) {
        if (rate < 0 || rate >= 1) {
            throw new IllegalArgumentException("drop path rate " + rate + " is outside [0, 1)");
        }
        return Math.max((int) (batch * (1.0 - rate)), 1);
    }

    /**
     * Fills {@code subset} with distinct sample indices in {@code [0, batch)}, drawn uniformly
     * (the first {@code subset.length} entries of a random permutation, as torch.randperm(b)[:k]).
     * {@code permutation} is scratch of length {@code batch}.
     */
    public static void sample(RandomGenerator rng, int batch, int[] permutation, int[] subset) {
        if (permutation.length < batch || subset.length > batch) {
            throw new IllegalArgumentException("cannot draw " + subset.length + " of " + batch + " samples with a "
                    + permutation.length + "-long permutation buffer");
        }
        for (int i = 0; i < batch; i++) {
            permutation[i] = i;
        }
        for (int i = 0; i < subset.length; i++) {
            int j = i + rng.nextInt(batch - i);
            int t = permutation[i];
            permutation[i] = permutation[j];
            permutation[j] = t;
            subset[i] = permutation[i];
        }
    }
}
