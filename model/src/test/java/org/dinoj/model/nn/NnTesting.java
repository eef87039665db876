package org.dinoj.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;

/** Shared set-up of the nn tests: an f64 context on the reference backend, random tensors, gradient checks. */
final class NnTesting {
    /**
     * Central differences in f64 with step 1e-5: truncation error ~ h^2 f''' / 6 ~ 1e-10 and
     * rounding error ~ 1e-16 |L| / h ~ 1e-10 for these losses of magnitude O(10); 1e-6 relative
     * with a 1e-8 absolute floor leaves room without hiding a wrong term, which shows up at
     * O(1e-3) relative or more.
     */
    static final double STEP = 1e-5;
    static final double RELATIVE = 1e-6;
    static final double ABSOLUTE = 1e-8;

    private NnTesting() {
    }

    static Backend backend() {
        return new ScratchLoopBackend();
    }

    static LayerContext f64(Backend backend, HostArena arena) {
        return new LayerContext(backend, arena, DType.F64);
    }

    /** Normal(0, scale) values from a seeded generator. */
    static Tensor random(HostArena arena, long seed, double scale, long... shape) {
        Tensor t = arena.allocate(DType.F64, shape);
        fillRandom(t, seed, scale);
        return t;
    }

    static void fillRandom(Tensor t, long seed, double scale) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (long i = 0; i < t.numel(); i++) {
            t.setFlat(i, rng.nextGaussian() * scale);
        }
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
     * element of {@code target} (restored afterwards).
     */
    static void assertGradient(String what, Tensor target, Tensor analytic, DoubleSupplier loss) {
        assertThat(analytic.shape()).as(what + " gradient shape").isEqualTo(target.shape());
        double maxAbs = 0;
        for (long i = 0; i < target.numel(); i++) {
            double original = target.getFlat(i);
            target.setFlat(i, original + STEP);
            double plus = loss.getAsDouble();
            target.setFlat(i, original - STEP);
            double minus = loss.getAsDouble();
            target.setFlat(i, original);
            double numeric = (plus - minus) / (2 * STEP);
            double a = analytic.getFlat(i);
            maxAbs = Math.max(maxAbs, Math.abs(numeric));
            assertThat(a).as("%s gradient element %d (numeric %s)", what, i, numeric)
                    .isCloseTo(numeric, org.assertj.core.data.Offset.offset(ABSOLUTE + RELATIVE * Math.abs(numeric)));
        }
        assertThat(maxAbs).as(what + ": the check needs a gradient that is not all zero").isGreaterThan(0);
    }
}
