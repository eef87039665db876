package org.dinoj.model.ssl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IbotPatchLossTest {
    /** F64 loss values; sums of a dozen terms of order 1. */
    private static final double TOL = 1e-12;

    private final Backend backend = SslTestSupport.referenceBackend();
    private final HostArena arena = new HostArena();

    @AfterEach
    void close() {
        arena.close();
        backend.close();
    }

    private Tensor column(double[] values) {
        Tensor t = arena.allocate(DType.F64, values.length, 1);
        t.copyFrom(values);
        return t;
    }

    @Test
    void maskWeightsGiveEachMaskedImageTotalWeightOne() {
        double[] w = IbotPatchLoss.maskWeights(new int[] {3, 1, 0, 2});
        assertThat(w).containsExactly(1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0, 0.5, 0.5);
    }

    @Test
    void imagesWithDifferentMaskCountsWeighEquallyAndTheDivisorCountsAllImages() {
        int k = 6;
        int[] masked = {3, 1, 0, 2};
        double[] weights = IbotPatchLoss.maskWeights(masked);
        int m = weights.length;
        Random rng = new Random(2);
        double[][] t = SslTestSupport.randomMatrix(rng, m, k, 1.0);
        for (double[] row : t) {
            double s = 0;
            for (int j = 0; j < k; j++) {
                row[j] = Math.exp(row[j]);
                s += row[j];
            }
            for (int j = 0; j < k; j++) {
                row[j] /= s;
            }
        }
        IbotPatchLoss loss = new IbotPatchLoss(backend, arena, DType.F64, 10, k);
        // uniform student: every patch costs log K; each of the 3 masked images contributes log K
        // in total, whatever its count, and the sum is divided by all 4 images
        double value = loss.forwardBackward(arena.allocate(DType.F64, m, k), SslTestSupport.tensor(arena, DType.F64, t),
                column(weights), 4, 1.0, arena.allocate(DType.F64, m, k));
        assertThat(value).isCloseTo(3 * Math.log(k) / 4, within(TOL));
    }

    @Test
    void matchesTheWeightedFormula() {
        int k = 5;
        double[] weights = IbotPatchLoss.maskWeights(new int[] {2, 3});
        int m = weights.length;
        Random rng = new Random(8);
        double[][] s = SslTestSupport.randomMatrix(rng, m, k, 0.4);
        double[][] t = SslTestSupport.randomMatrix(rng, m, k, 1.0);
        for (double[] row : t) {
            for (int j = 0; j < k; j++) {
                row[j] = Math.abs(row[j]);
            }
        }
        double expected = 0;
        for (int i = 0; i < m; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : s[i]) {
                max = Math.max(max, v / 0.1);
            }
            double z = 0;
            for (double v : s[i]) {
                z += Math.exp(v / 0.1 - max);
            }
            for (int j = 0; j < k; j++) {
                expected -= weights[i] * t[i][j] * (s[i][j] / 0.1 - max - Math.log(z));
            }
        }
        expected /= 4; // 4 global-crop images (2 of them unmasked)
        IbotPatchLoss loss = new IbotPatchLoss(backend, arena, DType.F64, 8, k);
        double value = loss.forwardBackward(SslTestSupport.tensor(arena, DType.F64, s),
                SslTestSupport.tensor(arena, DType.F64, t), column(weights), 4, 1.0, arena.allocate(DType.F64, m, k));
        assertThat(value).isCloseTo(expected, within(TOL));
    }

    @Test
    void gradientMatchesCentralFiniteDifferences() {
        int k = 4;
        double[] weights = IbotPatchLoss.maskWeights(new int[] {1, 3, 2});
        int m = weights.length;
        Random rng = new Random(4);
        Tensor s = SslTestSupport.tensor(arena, DType.F64, SslTestSupport.randomMatrix(rng, m, k, 0.5));
        double[][] tv = SslTestSupport.randomMatrix(rng, m, k, 1.0);
        for (double[] row : tv) {
            for (int j = 0; j < k; j++) {
                row[j] = Math.abs(row[j]) / k;
            }
        }
        Tensor t = SslTestSupport.tensor(arena, DType.F64, tv);
        Tensor w = column(weights);
        IbotPatchLoss loss = new IbotPatchLoss(backend, arena, DType.F64, m, k);
        Tensor grad = arena.allocate(DType.F64, m, k);
        Tensor scratch = arena.allocate(DType.F64, m, k);
        loss.forwardBackward(s, t, w, 6, 0.5, grad);
        SslTestSupport.assertGradientMatches(s, grad, () -> 0.5 * loss.forwardBackward(s, t, w, 6, 0.5, scratch));
    }
}
