package org.dinoj.model.testing;

/**
 * How far an actual value may be from the expected one: element i passes when
 * {@code |actual_i - expected_i| <= abs + rel * (|expected_i| + scale_i)}, where scale_i is an
 * optional per-element magnitude (for example sum |a||b| of a dot product, which bounds its
 * rounding error even when the result cancels to near 0). Every use states its reason.
 */
public record Tolerance(double abs, double rel) {
    public Tolerance {
        if (!(abs >= 0) || !(rel >= 0)) {
            throw new IllegalArgumentException("tolerances must be non-negative, got abs " + abs + " rel " + rel);
        }
    }

    /** Bit-for-bit equality (NaN equals NaN). */
    public static final Tolerance EXACT = new Tolerance(0, 0);

    public static Tolerance relative(double rel) {
        return new Tolerance(0, rel);
    }

    public static Tolerance absolute(double abs) {
        return new Tolerance(abs, 0);
    }

    /** The largest allowed |actual - expected| at an element with this expected value and scale. */
    public double allowed(double expected, double scale) {
        return abs + rel * (Math.abs(expected) + scale);
    }
}
