package org.dinoj.model.data.augment;

import java.util.SplittableRandom;

/**
 * The crop rectangle of torchvision's {@code RandomResizedCrop.get_params}: up to 10 tries of an
 * area drawn uniformly from {@code scale * H * W} and an aspect ratio (w / h) drawn log-uniformly
 * from [3/4, 4/3], rounded half-to-even as Python's {@code round}; the first that fits is placed
 * uniformly. When none fits, a centred crop of the whole image clamped to the ratio range.
 */
public final class RandomResizedCrop {
    /** torchvision's default ratio range, which dinov2 keeps. */
    public static final double MIN_RATIO = 3.0 / 4.0;
    public static final double MAX_RATIO = 4.0 / 3.0;
    static final int TRIES = 10;

    private static final double LOG_MIN_RATIO = Math.log(MIN_RATIO);
    private static final double LOG_MAX_RATIO = Math.log(MAX_RATIO);

    private RandomResizedCrop() {}

    /** Draws a crop of an {@code height x width} image whose area fraction lies in {@code scale}. */
    public static CropBox sample(int height, int width, Interval scale, SplittableRandom rng) {
        double area = (double) height * width;
        for (int attempt = 0; attempt < TRIES; attempt++) {
            double targetArea = area * Draws.uniform(rng, scale.min(), scale.max());
            double aspectRatio = Math.exp(Draws.uniform(rng, LOG_MIN_RATIO, LOG_MAX_RATIO));
            int w = (int) Math.rint(Math.sqrt(targetArea * aspectRatio));
            int h = (int) Math.rint(Math.sqrt(targetArea / aspectRatio));
            if (0 < w && w <= width && 0 < h && h <= height) {
                int top = rng.nextInt(height - h + 1);
                int left = rng.nextInt(width - w + 1);
                return new CropBox(top, left, h, w);
            }
        }
        return centreFallback(height, width);
    }

    /** torchvision's fallback: the whole image, cut to the nearest allowed ratio, centred. */
    static CropBox centreFallback(int height, int width) {
        double inRatio = (double) width / height;
        int w;
        int h;
        if (inRatio < MIN_RATIO) {
            w = width;
            h = (int) Math.rint(w / MIN_RATIO);
        } else if (inRatio > MAX_RATIO) {
            h = height;
            w = (int) Math.rint(h * MAX_RATIO);
        } else {
            w = width;
            h = height;
        }
        return new CropBox((height - h) / 2, (width - w) / 2, h, w);
    }
}
