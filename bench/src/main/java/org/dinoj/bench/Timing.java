package org.dinoj.bench;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.dinoj.model.tensor.Tensor;

/** What the benchmarks share: wall time of one call, the median of runs, seeded operands. */
final class Timing {
    private Timing() {
    }

    /** Seconds one run of {@code op} takes. */
    static double seconds(Runnable op) {
        long start = System.nanoTime();
        op.run();
        return (System.nanoTime() - start) / 1e9;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** Fills an f32 host tensor with uniform values in [-0.5, 0.5) from {@code seed}; returns it. */
    static Tensor uniform(Tensor t, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        MemorySegment data = t.data();
        for (long i = 0; i < t.numel(); i++) {
            data.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (random.nextDouble() - 0.5));
        }
        return t;
    }
}
