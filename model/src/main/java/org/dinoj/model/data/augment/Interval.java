package org.dinoj.model.data.augment;

/**
 * A closed range {@code [min, max]} of a config value given as a pair in the dinov2 YAML (e.g.
 * {@code crops.global_crops_scale: [0.32, 1.0]}, {@code ibot.mask_ratio_min_max: [0.1, 0.5]}).
 */
public record Interval(double min, double max) {
    public Interval {
        if (!(min <= max) || !Double.isFinite(min) || !Double.isFinite(max)) {
            throw new IllegalArgumentException("range [" + min + ", " + max + "] must be finite with min <= max; swap or fix the pair");
        }
    }
}
