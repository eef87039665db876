package org.dinoj.model.data.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.dinoj.model.data.Image;
import org.junit.jupiter.api.Test;

class BicubicResamplerTest {

    @Test
    void coefficientsMatchPillowForAFourToTwoDownscale() {
        // Hand-derived from Pillow's precompute_coeffs: scale 2 widens the support to 4, output 0 is
        // centred at 1.0, taps x = 0..3 at (x - 1 + 0.5) / 2 = -0.25, 0.25, 0.75, 1.25, cubic(a=-0.5)
        // gives 0.8671875, 0.8671875, 0.2265625, -0.0703125, normalised by their sum 1.890625.
        BicubicResampler.Axis axis = new BicubicResampler.Axis();
        axis.compute(4, 2);
        assertThat(axis.ksize).isEqualTo(9);
        assertThat(axis.start[0]).isZero();
        assertThat(axis.count[0]).isEqualTo(4);
        double sum = 1.890625;
        float[] expected = {(float) (0.8671875 / sum), (float) (0.8671875 / sum), (float) (0.2265625 / sum), (float) (-0.0703125 / sum)};
        for (int k = 0; k < 4; k++) {
            assertThat(axis.weights[k]).isEqualTo(expected[k]);
        }
        // Output 1 is the mirror image of output 0.
        assertThat(axis.start[1]).isZero();
        assertThat(axis.count[1]).isEqualTo(4);
        for (int k = 0; k < 4; k++) {
            assertThat(axis.weights[9 + k]).isEqualTo(expected[3 - k]);
        }
    }

    @Test
    void sameSizeResizeIsTheIdentity() {
        // cubic(0) = 1 and cubic(+-1) = cubic(+-2) = 0 exactly, so equal sizes copy pixels exactly (as PIL does).
        Image image = randomImage(3, 9, 11, 5);
        float[] out = new float[3 * 9 * 11];
        new BicubicResampler().resizeCrop(image, new CropBox(0, 0, 9, 11), 9, 11, false, out);
        assertThat(out).containsExactly(image.pixels());
    }

    @Test
    void constantImageStaysConstant() {
        Image image = constant(3, 40, 50, 0.37f);
        BicubicResampler resampler = new BicubicResampler();
        for (int[] sizes : new int[][] {{13, 17, 28}, {38, 47, 96}, {33, 21, 8}}) {
            float[] out = new float[3 * sizes[2] * sizes[2]];
            resampler.resizeCrop(image, new CropBox(2, 3, sizes[0], sizes[1]), sizes[2], sizes[2], false, out);
            for (float v : out) {
                // Normalised float weights: each pass may be off by a few float ulps of the value.
                assertThat(v).isCloseTo(0.37f, within(1e-6f));
            }
        }
    }

    @Test
    void linearRampStaysLinearAwayFromTheBorders() {
        // Output xx samples the input at (xx + 0.5) * in / out - 0.5. Upscaling: the a=-0.5 (Keys)
        // cubic reproduces linear functions exactly at any shift; float32 rounding of values in [0, 1] times
        // (in - 1) leaves under 1e-4 px.
        // Downscaling: the kernel is stretched by in/out and sampled at fractional offsets, then
        // renormalised, which reproduces a ramp only approximately (measured: <= 0.023 input px).
        // Border pixels, whose taps are cut and renormalised, are skipped.
        assertRampReproduced(28, 64, 1e-4);
        assertRampReproduced(224, 224 * 3, 1e-4);
        assertRampReproduced(200, 96, 0.05);
        assertRampReproduced(50, 37, 0.05);
        assertRampReproduced(30, 28, 0.05);
    }

    private static void assertRampReproduced(int in, int out, double tolerancePixels) {
        float[] ramp = new float[in * 3];
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < in; x++) {
                ramp[y * in + x] = x / (float) (in - 1);
            }
        }
        Image image = new Image(1, 3, in, ramp);
        float[] result = new float[3 * out];
        new BicubicResampler().resizeCrop(image, new CropBox(0, 0, 3, in), 3, out, false, result);
        double scale = (double) in / out;
        double support = 2 * Math.max(scale, 1);
        int checked = 0;
        for (int xx = 0; xx < out; xx++) {
            double centre = (xx + 0.5) * scale;
            if (centre - support < 0 || centre + support > in) {
                continue;
            }
            double expectedPixels = centre - 0.5;
            for (int y = 0; y < 3; y++) {
                assertThat(result[y * out + xx] * (double) (in - 1)).isCloseTo(expectedPixels, within(tolerancePixels));
            }
            checked++;
        }
        assertThat(checked).isGreaterThan(out / 2);
    }

    @Test
    void flipMirrorsEachRow() {
        Image image = randomImage(3, 30, 30, 7);
        CropBox box = new CropBox(4, 5, 20, 17);
        float[] plain = new float[3 * 12 * 12];
        float[] flipped = new float[3 * 12 * 12];
        BicubicResampler resampler = new BicubicResampler();
        resampler.resizeCrop(image, box, 12, 12, false, plain);
        resampler.resizeCrop(image, box, 12, 12, true, flipped);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 12; y++) {
                for (int x = 0; x < 12; x++) {
                    assertThat(flipped[(c * 12 + y) * 12 + x]).isEqualTo(plain[(c * 12 + y) * 12 + 11 - x]);
                }
            }
        }
    }

    @Test
    void overshootIsClippedToTheUnitRange() {
        // A hard edge upscaled with a negative-lobe kernel overshoots; PIL clips to the pixel range.
        float[] step = new float[8 * 8];
        for (int y = 0; y < 8; y++) {
            Arrays.fill(step, y * 8 + 4, y * 8 + 8, 1f);
        }
        float[] out = new float[32 * 32];
        new BicubicResampler().resizeCrop(new Image(1, 8, 8, step), new CropBox(0, 0, 8, 8), 32, 32, false, out);
        for (float v : out) {
            assertThat(v).isBetween(0f, 1f);
        }
    }

    static Image randomImage(int channels, int height, int width, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] pixels = new float[channels * height * width];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) rng.nextDouble();
        }
        return new Image(channels, height, width, pixels);
    }

    static Image constant(int channels, int height, int width, float value) {
        float[] pixels = new float[channels * height * width];
        Arrays.fill(pixels, value);
        return new Image(channels, height, width, pixels);
    }
}
