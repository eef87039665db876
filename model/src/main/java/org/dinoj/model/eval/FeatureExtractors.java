package org.dinoj.model.eval;

import java.util.Locale;

/** Finds a {@link FeatureExtractor} by its command-line name. */
public final class FeatureExtractors {
    private FeatureExtractors() {}

    public static FeatureExtractor byName(String name) {
        String key = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        return switch (key) {
            case RawPixelFeatures.NAME -> new RawPixelFeatures();
            case "teacher-cls" -> throw new UnsupportedOperationException(
                    "teacher-cls features come from a checkpoint: use --checkpoint DIR --config PRESET instead of --features");
            default -> throw new IllegalArgumentException("unknown features '" + name + "': use raw-pixels");
        };
    }
}
