package org.dinoj.model.data.augment;

/**
 * torchvision's {@code rgb_to_grayscale} with as many output channels as input channels (what
 * {@code RandomGrayscale} does): on [3, plane] every channel becomes the ITU-R 601 luma
 * (PIL's "L" conversion); on one channel it is the identity.
 */
public final class Grayscale {
    public static final float RED = 0.299f;
    public static final float GREEN = 0.587f;
    public static final float BLUE = 0.114f;

    private Grayscale() {}

    public static float luma(float r, float g, float b) {
        return RED * r + GREEN * g + BLUE * b;
    }

    /** Replaces each pixel of {@code image} [C, plane] by its luma in all channels (C is 1 or 3). */
    public static void applyInPlace(float[] image, int channels, int plane) {
        if (channels == 1) {
            return;
        }
        for (int i = 0; i < plane; i++) {
            float y = luma(image[i], image[plane + i], image[2 * plane + i]);
            image[i] = y;
            image[plane + i] = y;
            image[2 * plane + i] = y;
        }
    }
}
