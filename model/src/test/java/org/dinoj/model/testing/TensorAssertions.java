package org.dinoj.model.testing;

import java.util.Arrays;
import org.dinoj.model.tensor.Tensor;

/**
 * Compares tensors element by element within a {@link Tolerance}. A failure names what was
 * compared and reports the worst element (its index, both values, the allowed error), the largest
 * absolute and relative errors and how many elements failed, which is what one needs to tell a
 * wrong formula (errors everywhere) from a rounding issue (a few, small) or an indexing bug.
 */
public final class TensorAssertions {
    private TensorAssertions() {
    }

    /** Asserts {@code actual} matches {@code expected} (same shape; any dtypes and strides). */
    public static void assertClose(String what, Tensor actual, Tensor expected, Tolerance tolerance) {
        assertClose(what, actual, expected, tolerance, null);
    }

    /**
     * As {@link #assertClose(String, Tensor, Tensor, Tolerance)} with a per-element magnitude
     * {@code scale} (row-major, same element count; null for none) added to |expected| in the
     * relative term.
     */
    public static void assertClose(String what, Tensor actual, Tensor expected, Tolerance tolerance, double[] scale) {
        if (!actual.sameShape(expected)) {
            throw new AssertionError(what + ": shape " + Arrays.toString(actual.shape()) + " differs from the expected "
                    + Arrays.toString(expected.shape()));
        }
        assertClose(what, actual.toDoubleArray(), expected.toDoubleArray(), tolerance, scale, actual.shape());
    }

    /** Asserts two arrays match; {@code shape} (may be null) is only used to print the worst index. */
    public static void assertClose(String what, double[] actual, double[] expected, Tolerance tolerance, double[] scale,
                                   long[] shape) {
        if (actual.length != expected.length) {
            throw new AssertionError(what + ": " + actual.length + " values, expected " + expected.length);
        }
        if (scale != null && scale.length != expected.length) {
            throw new IllegalArgumentException(what + ": " + scale.length + " scale values for " + expected.length
                    + " elements");
        }
        double maxAbs = 0;
        double maxRel = 0;
        double worstExcess = 0;
        int worst = -1;
        int failures = 0;
        for (int i = 0; i < expected.length; i++) {
            double a = actual[i];
            double e = expected[i];
            if (Double.isNaN(a) || Double.isNaN(e)) {
                if (Double.isNaN(a) != Double.isNaN(e)) {
                    failures++;
                    if (worstExcess != Double.POSITIVE_INFINITY) {
                        worstExcess = Double.POSITIVE_INFINITY;
                        worst = i;
                    }
                }
                continue;
            }
            if (a == e) {
                continue; // also equal infinities
            }
            double err = Math.abs(a - e);
            double rel = err / Math.abs(e);
            maxAbs = Math.max(maxAbs, err);
            maxRel = Math.max(maxRel, rel);
            double allowed = tolerance.allowed(e, scale == null ? 0 : scale[i]);
            if (!(err <= allowed)) {
                failures++;
                double excess = allowed == 0 ? Double.MAX_VALUE : err / allowed;
                if (worst < 0 || excess > worstExcess) {
                    worstExcess = excess;
                    worst = i;
                }
            }
        }
        if (failures > 0) {
            double s = scale == null ? 0 : scale[worst];
            throw new AssertionError(String.format(
                    "%s: %d of %d elements outside %s; worst at %s: actual %.9g, expected %.9g, error %.3g, allowed %.3g"
                            + " (scale %.3g); max abs error %.3g, max rel error %.3g",
                    what, failures, expected.length, tolerance, indexString(worst, shape), actual[worst],
                    expected[worst], Math.abs(actual[worst] - expected[worst]), tolerance.allowed(expected[worst], s), s,
                    maxAbs, maxRel));
        }
    }

    /** The largest |actual - expected| over all elements (for reporting measured accuracy). */
    public static double maxAbsError(Tensor actual, Tensor expected) {
        double[] a = actual.toDoubleArray();
        double[] e = expected.toDoubleArray();
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - e[i]));
        }
        return max;
    }

    private static String indexString(int flat, long[] shape) {
        if (shape == null) {
            return "[" + flat + "]";
        }
        long[] index = new long[shape.length];
        long rest = flat;
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = shape[d] == 0 ? 0 : rest % shape[d];
            rest = shape[d] == 0 ? 0 : rest / shape[d];
        }
        return Arrays.toString(index);
    }
}
