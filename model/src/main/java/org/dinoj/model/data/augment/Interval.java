package org.dinoj.model.data.augment;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A closed range {@code [min, max]} of a config value given as a pair in the dinov2 YAML (e.g.
 * {@code crops.global_crops_scale: [0.32, 1.0]}, {@code ibot.mask_ratio_min_max: [0.1, 0.5]}).
 */
public record Interval(double min, double max) {
    /** Reads the YAML pair {@code [min, max]}. */
    @JsonCreator
    public static Interval of(double[] pair) {
        if (pair == null || pair.length != 2) {
            throw new IllegalArgumentException("a range is written as a pair [min, max], got "
                    + (pair == null ? "nothing" : pair.length + " values"));
        }
        return new Interval(pair[0], pair[1]);
    }

    /** Written as the YAML pair {@code [min, max]}. */
    @JsonValue
    public double[] pair() {
        return new double[] {min, max};
    }

    public Interval {
        if (!(min <= max) || !Double.isFinite(min) || !Double.isFinite(max)) {
            throw new IllegalArgumentException("range [" + min + ", " + max + "] must be finite with min <= max; swap or fix the pair");
        }
    }
}
