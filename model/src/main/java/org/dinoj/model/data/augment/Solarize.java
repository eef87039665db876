package org.dinoj.model.data.augment;

/**
 * PIL's {@code ImageOps.solarize(img, 128)} in [0, 1] terms: pixels at or above 128/255 become
 * {@code 1 - x}, the rest stay.
 */
public final class Solarize {
    /** PIL threshold 128 on the 0..255 scale. */
    public static final float THRESHOLD = 128f / 255f;

    private Solarize() {}

    /** Solarises {@code image} (any layout) in place. */
    public static void applyInPlace(float[] image) {
        for (int i = 0; i < image.length; i++) {
            float v = image[i];
            if (v >= THRESHOLD) {
                image[i] = 1f - v;
            }
        }
    }
}
