package org.dinoj.model.data.augment;

/**
 * torchvision's {@code GaussianBlur(kernel_size=9, sigma=(0.1, 2.0))}, which dinov2 uses for every
 * crop type: a 9x9 kernel {@code exp(-x^2 / (2 sigma^2))} over x = -4..4, normalised, the same
 * sigma on both axes, reflect padding (mirror without repeating the edge pixel). The 2D kernel is
 * separable, so it runs as a horizontal then a vertical 1D pass. Where an image side is not larger
 * than 4 pixels (torch's reflect pad would refuse it) the reflection keeps bouncing off both edges.
 *
 * <p>Not thread-safe: holds the kernel and scratch planes, reused across crops.
 */
final class GaussianBlur {
    static final int KERNEL_SIZE = 9;
    static final double SIGMA_MIN = 0.1;
    static final double SIGMA_MAX = 2.0;
    private static final int HALF = KERNEL_SIZE / 2;

    private final float[] kernel = new float[KERNEL_SIZE];
    private float[] padded = new float[0];
    private float[] horizontal = new float[0];
    private int[] rowIndex = new int[0];

    /** Blurs {@code image} [C, height, width] in place with standard deviation {@code sigma} pixels. */
    void apply(float[] image, int channels, int height, int width, double sigma) {
        fillKernel(sigma, kernel);
        int plane = height * width;
        if (padded.length < width + 2 * HALF) {
            padded = new float[width + 2 * HALF];
        }
        if (horizontal.length < plane) {
            horizontal = new float[plane];
        }
        if (rowIndex.length < height + 2 * HALF) {
            rowIndex = new int[height + 2 * HALF];
        }
        for (int i = 0; i < height + 2 * HALF; i++) {
            rowIndex[i] = reflect(i - HALF, height);
        }
        float[] k1 = kernel;
        float[] pad = padded;
        float[] tmp = horizontal;
        int[] rows = rowIndex;
        for (int c = 0; c < channels; c++) {
            int base = c * plane;
            for (int y = 0; y < height; y++) {
                int row = base + y * width;
                for (int i = 0; i < width + 2 * HALF; i++) {
                    pad[i] = image[row + reflect(i - HALF, width)];
                }
                for (int x = 0; x < width; x++) {
                    float sum = 0f;
                    for (int k = 0; k < KERNEL_SIZE; k++) {
                        sum += k1[k] * pad[x + k];
                    }
                    tmp[y * width + x] = sum;
                }
            }
            for (int y = 0; y < height; y++) {
                int out = base + y * width;
                java.util.Arrays.fill(image, out, out + width, 0f);
                for (int k = 0; k < KERNEL_SIZE; k++) {
                    float w = k1[k];
                    int in = rows[y + k] * width;
                    for (int x = 0; x < width; x++) {
                        image[out + x] += w * tmp[in + x];
                    }
                }
            }
        }
    }

    /** torchvision's {@code _get_gaussian_kernel1d(9, sigma)} into {@code kernel}. */
    static void fillKernel(double sigma, float[] kernel) {
        double total = 0.0;
        for (int k = 0; k < KERNEL_SIZE; k++) {
            total += gaussian(k, sigma);
        }
        for (int k = 0; k < KERNEL_SIZE; k++) {
            kernel[k] = (float) (gaussian(k, sigma) / total);
        }
    }

    private static double gaussian(int k, double sigma) {
        double x = (k - HALF) / sigma;
        return Math.exp(-0.5 * x * x);
    }

    /** Index {@code i} mirrored into [0, n) without repeating the edge ("reflect" padding). */
    static int reflect(int i, int n) {
        if (n == 1) {
            return 0;
        }
        int period = 2 * (n - 1);
        int m = Math.floorMod(i, period);
        return m < n ? m : period - m;
    }
}
