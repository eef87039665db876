package org.dinoj.model.data.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GaussianBlurTest {

    @Test
    void kernelIsANormalisedSymmetricGaussianOverNineTaps() {
        float[] kernel = new float[9];
        GaussianBlur.fillKernel(1.5, kernel);
        double sum = 0;
        for (float k : kernel) {
            sum += k;
        }
        assertThat(sum).isCloseTo(1.0, within(1e-6));
        for (int k = 0; k < 4; k++) {
            assertThat(kernel[k]).isEqualTo(kernel[8 - k]);
        }
        // Ratio of neighbouring taps is exp(-(2x+1) / (2 sigma^2)): from 0 to 1 it is exp(-1/4.5).
        assertThat((double) kernel[5] / kernel[4]).isCloseTo(Math.exp(-1 / 4.5), within(1e-6));
        GaussianBlur.fillKernel(0.1, kernel);
        assertThat(kernel[4]).isCloseTo(1f, within(1e-6f)); // sigma 0.1 is nearly the identity
    }

    @Test
    void reflectMirrorsWithoutRepeatingTheEdge() {
        assertThat(GaussianBlur.reflect(-1, 5)).isEqualTo(1);
        assertThat(GaussianBlur.reflect(-4, 5)).isEqualTo(4);
        assertThat(GaussianBlur.reflect(5, 5)).isEqualTo(3);
        assertThat(GaussianBlur.reflect(8, 5)).isEqualTo(0);
        assertThat(GaussianBlur.reflect(-3, 2)).isEqualTo(1);
        assertThat(GaussianBlur.reflect(3, 1)).isZero();
    }

    @Test
    void matchesADirect2dConvolutionWithReflectPadding() {
        int channels = 3;
        int height = 7;
        int width = 10;
        double sigma = 1.3;
        SplittableRandom rng = new SplittableRandom(21);
        float[] image = new float[channels * height * width];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) rng.nextDouble();
        }
        // Oracle: torch's pad(reflect) + conv2d with the outer product of the 1D kernel, in double.
        double[] k1 = new double[9];
        double total = 0;
        for (int k = 0; k < 9; k++) {
            k1[k] = Math.exp(-0.5 * Math.pow((k - 4) / sigma, 2));
            total += k1[k];
        }
        for (int k = 0; k < 9; k++) {
            k1[k] /= total;
        }
        double[] expected = new double[image.length];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double sum = 0;
                    for (int i = 0; i < 9; i++) {
                        for (int j = 0; j < 9; j++) {
                            int yy = mirror(y + i - 4, height);
                            int xx = mirror(x + j - 4, width);
                            sum += k1[i] * k1[j] * image[(c * height + yy) * width + xx];
                        }
                    }
                    expected[(c * height + y) * width + x] = sum;
                }
            }
        }
        new GaussianBlur().apply(image, channels, height, width, sigma);
        for (int i = 0; i < image.length; i++) {
            // float32 separable passes vs a double 2D sum: a few ulps of values in [0, 1]
            assertThat((double) image[i]).isCloseTo(expected[i], within(1e-6));
        }
    }

    @Test
    void constantImageStaysConstant() {
        float[] image = new float[2 * 12 * 12];
        Arrays.fill(image, 0.6f);
        new GaussianBlur().apply(image, 2, 12, 12, 2.0);
        for (float v : image) {
            assertThat(v).isCloseTo(0.6f, within(1e-6f));
        }
    }

    /** Reflect padding written out for pad < n (the case torch accepts). */
    private static int mirror(int i, int n) {
        if (i < 0) {
            return -i;
        }
        if (i >= n) {
            return 2 * (n - 1) - i;
        }
        return i;
    }
}
