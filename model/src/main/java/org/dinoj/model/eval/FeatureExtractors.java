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
                    "not available yet: teacher-cls features need the ViT model and checkpoint loading, which dinoj does not have yet; use raw-pixels");
            default -> throw new IllegalArgumentException("unknown features '" + name + "': use raw-pixels");
        };
    }
}
