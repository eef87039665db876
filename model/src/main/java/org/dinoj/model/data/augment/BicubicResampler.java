package org.dinoj.model.data.augment;

import org.dinoj.model.data.Image;

/**
 * Crop-and-resize as dinov2 does it on PIL images: {@code img.crop(box).resize(size, BICUBIC)}.
 * PIL's resize is a separable, antialiased convolution (Pillow {@code Resample.c}): the cubic
 * kernel with {@code a = -0.5} (PIL's choice; torchvision's tensor path without antialias uses
 * -0.75, with antialias it matches PIL), support 2 input pixels widened by the downscale factor,
 * centre of output pixel {@code xx} at {@code (xx + 0.5) * in / out}, taps cut at the image edge
 * and renormalised (no padding). Horizontal pass first, then vertical, each clipped to [0, 1] as
 * PIL clips to [0, 255]; unlike PIL (8-bit), values are not rounded to 1/255 steps in between.
 *
 * <p>Not thread-safe: holds coefficient tables and the intermediate image, reused across crops.
 */
final class BicubicResampler {
    static final double A = -0.5;
    static final double SUPPORT = 2.0;

    private final Axis horizontal = new Axis();
    private final Axis vertical = new Axis();
    /** Horizontal-pass output: [C, crop height, out width]. */
    private float[] rows = new float[0];

    /**
     * Writes {@code box} of {@code src} resized to {@code outHeight x outWidth} into {@code dst}
     * [C, outHeight, outWidth]; {@code flip} mirrors it left-right (RandomHorizontalFlip).
     */
    void resizeCrop(Image src, CropBox box, int outHeight, int outWidth, boolean flip, float[] dst) {
        int channels = src.channels();
        if (box.top() + box.height() > src.height() || box.left() + box.width() > src.width()) {
            throw new IllegalArgumentException(box + " does not fit in a " + src.height() + "x" + src.width() + " image");
        }
        if (dst.length != channels * outHeight * outWidth) {
            throw new IllegalArgumentException("output holds " + dst.length + " floats, not " + channels + "x" + outHeight + "x" + outWidth);
        }
        horizontal.compute(box.width(), outWidth);
        vertical.compute(box.height(), outHeight);
        int cropHeight = box.height();
        int needed = channels * cropHeight * outWidth;
        if (rows.length < needed) {
            rows = new float[needed];
        }
        float[] in = src.pixels();
        float[] tmp = rows;
        int inWidth = src.width();
        // Locals, not fields: the JIT cannot hoist field loads past stores into another float[].
        int ksizeH = horizontal.ksize;
        int[] startH = horizontal.start;
        int[] countH = horizontal.count;
        float[] weightsH = horizontal.weights;
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < cropHeight; y++) {
                int inRow = (c * src.height() + box.top() + y) * inWidth + box.left();
                int outRow = (c * cropHeight + y) * outWidth;
                for (int xx = 0; xx < outWidth; xx++) {
                    int first = inRow + startH[xx];
                    int taps = countH[xx];
                    int k0 = xx * ksizeH;
                    float sum = 0f;
                    for (int k = 0; k < taps; k++) {
                        sum += weightsH[k0 + k] * in[first + k];
                    }
                    tmp[outRow + xx] = clamp01(sum);
                }
            }
        }
        int ksizeV = vertical.ksize;
        int[] startV = vertical.start;
        int[] countV = vertical.count;
        float[] weightsV = vertical.weights;
        for (int c = 0; c < channels; c++) {
            for (int yy = 0; yy < outHeight; yy++) {
                int outRow = (c * outHeight + yy) * outWidth;
                java.util.Arrays.fill(dst, outRow, outRow + outWidth, 0f);
                int first = startV[yy];
                int taps = countV[yy];
                int k0 = yy * ksizeV;
                for (int k = 0; k < taps; k++) {
                    float w = weightsV[k0 + k];
                    int inRow = (c * cropHeight + first + k) * outWidth;
                    for (int xx = 0; xx < outWidth; xx++) {
                        dst[outRow + xx] += w * tmp[inRow + xx];
                    }
                }
                for (int xx = outRow; xx < outRow + outWidth; xx++) {
                    dst[xx] = clamp01(dst[xx]);
                }
                if (flip) {
                    for (int a = outRow, b = outRow + outWidth - 1; a < b; a++, b--) {
                        float t = dst[a];
                        dst[a] = dst[b];
                        dst[b] = t;
                    }
                }
            }
        }
    }

    /** PIL's {@code bicubic_filter} with {@code a = -0.5}. */
    static double cubic(double x) {
        x = Math.abs(x);
        if (x < 1.0) {
            return ((A + 2.0) * x - (A + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * A;
        }
        return 0.0;
    }

    private static float clamp01(float v) {
        return v < 0f ? 0f : (v > 1f ? 1f : v);
    }

    /** One axis's taps, as Pillow's {@code precompute_coeffs}: first input index, tap count, weights. */
    static final class Axis {
        int inSize = -1;
        int outSize = -1;
        int ksize;
        int[] start = new int[0];
        int[] count = new int[0];
        /** [outSize, ksize], each row normalised to sum 1 over its {@code count} taps. */
        float[] weights = new float[0];
        private double[] row = new double[0];

        void compute(int in, int out) {
            if (in == inSize && out == outSize) {
                return;
            }
            double scale = (double) in / out;
            double filterScale = Math.max(scale, 1.0);
            double support = SUPPORT * filterScale;
            ksize = (int) Math.ceil(support) * 2 + 1;
            if (start.length < out) {
                start = new int[out];
                count = new int[out];
            }
            if (weights.length < out * ksize) {
                weights = new float[out * ksize];
            }
            if (row.length < ksize) {
                row = new double[ksize];
            }
            double invFilterScale = 1.0 / filterScale;
            for (int xx = 0; xx < out; xx++) {
                double center = (xx + 0.5) * scale;
                // C's (int) cast truncates toward zero; negative values are clamped to 0 right after.
                int xmin = Math.max((int) (center - support + 0.5), 0);
                int xmax = Math.min((int) (center + support + 0.5), in) - xmin;
                double total = 0.0;
                for (int x = 0; x < xmax; x++) {
                    double w = cubic((x + xmin - center + 0.5) * invFilterScale);
                    row[x] = w;
                    total += w;
                }
                int k0 = xx * ksize;
                for (int x = 0; x < ksize; x++) {
                    weights[k0 + x] = x < xmax ? (float) (total != 0.0 ? row[x] / total : row[x]) : 0f;
                }
                start[xx] = xmin;
                count[xx] = xmax;
            }
            inSize = in;
            outSize = out;
        }
    }
}
