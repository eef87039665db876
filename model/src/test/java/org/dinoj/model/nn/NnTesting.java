package org.dinoj.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.function.DoubleSupplier;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.reference.ReferenceBackend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.testing.FiniteDifference;
import org.dinoj.model.testing.RandomTensors;
import org.dinoj.model.testing.Tolerance;

/** Shared set-up of the nn tests: an f64 context on the reference backend, random tensors, gradient checks. */
final class NnTesting {
    /**
     * Central differences in f64 (FiniteDifference: step 1e-5 relative) err by about 1e-10 for
     * these losses of magnitude O(10); 1e-6 relative with a 1e-8 absolute floor (for the small
     * gradients of deep weights) leaves room without hiding a wrong term, which shows up at
     * O(1e-3) relative or more.
     */
    static final Tolerance GRADIENT = new Tolerance(1e-8, 1e-6);

    private NnTesting() {
    }

    static Backend backend() {
        return new ReferenceBackend(Precision.F32);
    }

    static LayerContext f64(Backend backend, HostArena arena) {
        return new LayerContext(backend, arena, DType.F64);
    }

    /** Normal(0, scale) values from a seeded generator. */
    static Tensor random(HostArena arena, long seed, double scale, long... shape) {
        return new RandomTensors(seed).normal(arena.allocate(DType.F64, shape), 0, scale);
    }

    static void fillRandom(Tensor t, long seed, double scale) {
        new RandomTensors(seed).normal(t, 0, scale);
    }

    /** sum(out * weights): a scalar loss whose gradient with respect to out is weights. */
    static double dot(Tensor out, Tensor weights) {
        double s = 0;
        for (long i = 0; i < out.numel(); i++) {
            s += out.getFlat(i) * weights.getFlat(i);
        }
        return s;
    }

    /**
     * Compares {@code analytic} with central differences of {@code loss} with respect to every
     * element of {@code target} (restored afterwards), and requires a gradient that is not all
     * zero so the check cannot pass vacuously.
     */
    static void assertGradient(String what, Tensor target, Tensor analytic, DoubleSupplier loss) {
        assertThat(analytic.shape()).as(what + " gradient shape").isEqualTo(target.shape());
        FiniteDifference.checkScalar(what, loss, target, analytic, GRADIENT);
        assertThat(Arrays.stream(analytic.toDoubleArray()).anyMatch(v -> v != 0))
                .as(what + ": the check needs a gradient that is not all zero").isTrue();
    }
}
