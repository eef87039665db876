package org.dinoj.model.ssl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.reference.ReferenceBackend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;
import org.dinoj.model.testing.FiniteDifference;
import org.dinoj.model.testing.Tolerance;

/** Small helpers of the ssl tests: the oracle backend, tensors from arrays, finite differences. */
final class SslTestSupport {
    private SslTestSupport() {
    }

    static Backend referenceBackend() {
        return new ReferenceBackend(Precision.F32);
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
     * {@code input} (F64), using the shared finite-difference kit. Tolerance 1e-6 relative: the
     * analytic side passes its scale factors through Backend.linear as floats (~6e-8 relative);
     * 1e-9 absolute covers the differences' rounding noise (~1e-16 / 1e-5) at near-zero entries.
     */
    static void assertGradientMatches(Tensor input, Tensor analytic, DoubleSupplier loss) {
        assertThat(Arrays.stream(FiniteDifference.gradient(loss, input)).anyMatch(g -> g != 0))
                .as("finite differences of a non-constant loss").isTrue();
        FiniteDifference.checkScalar("input", loss, input, analytic, new Tolerance(1e-9, 1e-6));
    }
}
