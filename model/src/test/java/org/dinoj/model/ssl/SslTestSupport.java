package org.dinoj.model.ssl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import java.util.function.DoubleSupplier;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.reference.ReferenceBackend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;

/** Small helpers of the ssl tests: the oracle backend, tensors from arrays, finite differences. */
final class SslTestSupport {
    /** Central-difference step for F64 inputs of order 1: truncation ~h^2, rounding ~1e-16/h. */
    private static final double STEP = 1e-5;

    private SslTestSupport() {
    }

    static Backend referenceBackend() {
        return new ReferenceBackend();
    }

    static Tensor tensor(TensorAllocator allocator, DType dtype, double[][] rows) {
        Tensor t = allocator.allocate(dtype, rows.length, rows[0].length);
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < rows[i].length; j++) {
                t.set(rows[i][j], i, j);
            }
        }
        return t;
    }

    static double[][] rows(Tensor t) {
        double[][] out = new double[(int) t.size(0)][(int) t.size(1)];
        for (int i = 0; i < out.length; i++) {
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = t.get(i, j);
            }
        }
        return out;
    }

    static double[][] randomMatrix(Random rng, int rows, int cols, double scale) {
        double[][] m = new double[rows][cols];
        for (double[] row : m) {
            for (int j = 0; j < cols; j++) {
                row[j] = scale * rng.nextGaussian();
            }
        }
        return m;
    }

    /**
     * Compares an analytic gradient with central differences of {@code loss} in every element of
     * {@code input} (F64). Tolerance 1e-6 relative to the largest gradient entry: the analytic
     * side passes its scale through Backend.linear as a float (~6e-8 relative), the numeric side
     * has O(h^2) ~ 1e-10 truncation.
     */
    static void assertGradientMatches(Tensor input, Tensor analytic, DoubleSupplier loss) {
        int n = (int) input.numel();
        double[] numeric = new double[n];
        double largest = 0;
        for (int i = 0; i < n; i++) {
            double x = input.getFlat(i);
            input.setFlat(i, x + STEP);
            double up = loss.getAsDouble();
            input.setFlat(i, x - STEP);
            double down = loss.getAsDouble();
            input.setFlat(i, x);
            numeric[i] = (up - down) / (2 * STEP);
            largest = Math.max(largest, Math.abs(numeric[i]));
        }
        assertThat(largest).as("finite differences of a non-constant loss").isGreaterThan(0);
        for (int i = 0; i < n; i++) {
            assertThat(analytic.getFlat(i)).as("gradient element %d", i)
                    .isCloseTo(numeric[i], within(1e-6 * largest + 1e-9));
        }
    }
}
