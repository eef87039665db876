package org.dinoj.model.data.augment;

import java.util.SplittableRandom;

/**
 * torchvision's {@code ColorJitter(brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1)} as dinov2
 * configures it, on float images in [0, 1] laid out [C, H, W]. Each call draws a random order of
 * the four ops and all four factors; each op blends and clamps to [0, 1] as torchvision's
 * {@code _blend} does:
 * <ul>
 *   <li>brightness: blend with black, {@code f * x};
 *   <li>contrast: blend with the mean of the grayscale image (one scalar per image);
 *   <li>saturation: blend with the grayscale image (per pixel);
 *   <li>hue: shift H in HSV by {@code h} (mod 1), torchvision's {@code _rgb2hsv}/{@code _hsv2rgb}.
 * </ul>
 * On one channel, saturation and hue are the identity (as PIL's "L" mode) and contrast uses the
 * mean of the channel itself. Grayscale is ITU-R 601 luma (0.299, 0.587, 0.114), PIL's "L".
 */
public final class ColorJitter {
    public static final double BRIGHTNESS = 0.4;
    public static final double CONTRAST = 0.4;
    public static final double SATURATION = 0.2;
    public static final double HUE = 0.1;

    static final int OP_BRIGHTNESS = 0;
    static final int OP_CONTRAST = 1;
    static final int OP_SATURATION = 2;
    static final int OP_HUE = 3;

    private ColorJitter() {}

    /**
     * One call's draw: {@code order} is a permutation of the op ids 0..3 (brightness, contrast,
     * saturation, hue); factors as torchvision's {@code ColorJitter.get_params}.
     */
    public record Params(int[] order, float brightness, float contrast, float saturation, float hue) {}

    /** Draws a uniform permutation and the factors b, c in [0.6, 1.4], s in [0.8, 1.2], h in [-0.1, 0.1]. */
    public static Params sample(SplittableRandom rng) {
        int[] order = {0, 1, 2, 3};
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        float b = (float) Draws.uniform(rng, 1 - BRIGHTNESS, 1 + BRIGHTNESS);
        float c = (float) Draws.uniform(rng, 1 - CONTRAST, 1 + CONTRAST);
        float s = (float) Draws.uniform(rng, 1 - SATURATION, 1 + SATURATION);
        float h = (float) Draws.uniform(rng, -HUE, HUE);
        return new Params(order, b, c, s, h);
    }

    /** Applies the four ops of {@code params} in its order to {@code image} [C, plane] in place (C is 1 or 3). */
    public static void apply(Params params, float[] image, int channels, int plane) {
        for (int op : params.order()) {
            switch (op) {
                case OP_BRIGHTNESS -> adjustBrightness(image, channels, plane, params.brightness());
                case OP_CONTRAST -> adjustContrast(image, channels, plane, params.contrast());
                case OP_SATURATION -> adjustSaturation(image, channels, plane, params.saturation());
                case OP_HUE -> adjustHue(image, channels, plane, params.hue());
                default -> throw new IllegalArgumentException("colour-jitter op id " + op + " is not one of 0..3");
            }
        }
    }

    /** {@code x <- clamp(f * x)} on [C, plane]. */
    public static void adjustBrightness(float[] image, int channels, int plane, float factor) {
        int n = channels * plane;
        for (int i = 0; i < n; i++) {
            image[i] = clamp01(factor * image[i]);
        }
    }

    /** {@code x <- clamp(f * x + (1 - f) * mean(gray))} on [C, plane]. */
    public static void adjustContrast(float[] image, int channels, int plane, float factor) {
        double sum = 0.0;
        if (channels == 3) {
            for (int i = 0; i < plane; i++) {
                sum += Grayscale.luma(image[i], image[plane + i], image[2 * plane + i]);
            }
        } else {
            for (int i = 0; i < plane; i++) {
                sum += image[i];
            }
        }
        float mean = (float) (sum / plane);
        float offset = (1f - factor) * mean;
        int n = channels * plane;
        for (int i = 0; i < n; i++) {
            image[i] = clamp01(factor * image[i] + offset);
        }
    }

    /** {@code x <- clamp(f * x + (1 - f) * gray(pixel))} on [3, plane]; identity on one channel. */
    public static void adjustSaturation(float[] image, int channels, int plane, float factor) {
        if (channels == 1) {
            return;
        }
        float rest = 1f - factor;
        for (int i = 0; i < plane; i++) {
            float r = image[i];
            float g = image[plane + i];
            float b = image[2 * plane + i];
            float gray = rest * Grayscale.luma(r, g, b);
            image[i] = clamp01(factor * r + gray);
            image[plane + i] = clamp01(factor * g + gray);
            image[2 * plane + i] = clamp01(factor * b + gray);
        }
    }

    /** Shifts the hue of [3, plane] by {@code shift} turns (in [-0.5, 0.5]); identity on one channel. */
    public static void adjustHue(float[] image, int channels, int plane, float shift) {
        if (channels == 1) {
            return;
        }
        for (int i = 0; i < plane; i++) {
            float r = image[i];
            float g = image[plane + i];
            float b = image[2 * plane + i];
            // torchvision _rgb2hsv
            float maxc = Math.max(r, Math.max(g, b));
            float minc = Math.min(r, Math.min(g, b));
            boolean flat = maxc == minc;
            float cr = maxc - minc;
            float s = cr / (flat ? 1f : maxc);
            float crDivisor = flat ? 1f : cr;
            float rc = (maxc - r) / crDivisor;
            float gc = (maxc - g) / crDivisor;
            float bc = (maxc - b) / crDivisor;
            float h;
            if (maxc == r) {
                h = bc - gc;
            } else if (maxc == g) {
                h = 2f + rc - bc;
            } else {
                h = 4f + gc - rc;
            }
            h = floorMod1(h / 6f + 1f);
            h = floorMod1(h + shift);
            // torchvision _hsv2rgb
            float v = maxc;
            float h6 = h * 6f;
            float sector = (float) Math.floor(h6);
            float f = h6 - sector;
            int sectorIndex = Math.floorMod((int) sector, 6);
            float p = clamp01(v * (1f - s));
            float q = clamp01(v * (1f - s * f));
            float t = clamp01(v * (1f - s * (1f - f)));
            switch (sectorIndex) {
                case 0 -> set(image, plane, i, v, t, p);
                case 1 -> set(image, plane, i, q, v, p);
                case 2 -> set(image, plane, i, p, v, t);
                case 3 -> set(image, plane, i, p, q, v);
                case 4 -> set(image, plane, i, t, p, v);
                default -> set(image, plane, i, v, p, q);
            }
        }
    }

    private static void set(float[] image, int plane, int i, float r, float g, float b) {
        image[i] = r;
        image[plane + i] = g;
        image[2 * plane + i] = b;
    }

    /** Python/torch {@code x % 1.0} (result in [0, 1)). */
    private static float floorMod1(float x) {
        return x - (float) Math.floor(x);
    }

    static float clamp01(float v) {
        return v < 0f ? 0f : (v > 1f ? 1f : v);
    }
}
