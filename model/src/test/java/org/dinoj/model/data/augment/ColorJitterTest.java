package org.dinoj.model.data.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ColorJitterTest {

    @Test
    void factorsLieInTorchvisionRangesAndOrdersAreUniformPermutations() {
        SplittableRandom rng = new SplittableRandom(11);
        Map<String, Integer> orders = new HashMap<>();
        int n = 24_000;
        float minB = 9, maxB = -9, minS = 9, maxS = -9, minH = 9, maxH = -9, minC = 9, maxC = -9;
        for (int i = 0; i < n; i++) {
            ColorJitter.Params p = ColorJitter.sample(rng);
            int[] sorted = p.order().clone();
            Arrays.sort(sorted);
            assertThat(sorted).containsExactly(0, 1, 2, 3);
            orders.merge(Arrays.toString(p.order()), 1, Integer::sum);
            minB = Math.min(minB, p.brightness());
            maxB = Math.max(maxB, p.brightness());
            minC = Math.min(minC, p.contrast());
            maxC = Math.max(maxC, p.contrast());
            minS = Math.min(minS, p.saturation());
            maxS = Math.max(maxS, p.saturation());
            minH = Math.min(minH, p.hue());
            maxH = Math.max(maxH, p.hue());
        }
        // Ranges hold, and the extremes are approached (within 1% of the range width).
        assertThat(minB).isBetween(0.6f, 0.608f);
        assertThat(maxB).isBetween(1.392f, 1.4f);
        assertThat(minC).isBetween(0.6f, 0.608f);
        assertThat(maxC).isBetween(1.392f, 1.4f);
        assertThat(minS).isBetween(0.8f, 0.804f);
        assertThat(maxS).isBetween(1.196f, 1.2f);
        assertThat(minH).isBetween(-0.1f, -0.098f);
        assertThat(maxH).isBetween(0.098f, 0.1f);
        assertThat(orders).hasSize(24);
        // Each of the 24 orders expected n/24 = 1000 times; 5 standard deviations is about 155.
        for (int count : orders.values()) {
            assertThat(count).isBetween(845, 1155);
        }
    }

    @Test
    void brightnessScalesAndClamps() {
        float[] image = {0.1f, 0.5f, 0.9f};
        ColorJitter.adjustBrightness(image, 1, 3, 1.25f);
        assertThat(image).containsExactly(0.125f, 0.625f, 1f);
    }

    @Test
    void contrastBlendsWithTheMeanOfTheGrayscaleImage() {
        // Two RGB pixels: red (1,0,0) and white (1,1,1); lumas 0.299 and 1.0, mean 0.6495.
        float[] image = {1f, 1f, 0f, 1f, 0f, 1f};
        ColorJitter.adjustContrast(image, 3, 2, 0.5f);
        float mean = 0.6495f;
        float[] expected = {0.5f + 0.5f * mean, 0.5f + 0.5f * mean, 0.5f * mean, 0.5f + 0.5f * mean, 0.5f * mean, 0.5f + 0.5f * mean};
        assertThat(image).usingComparatorWithPrecision(1e-6f).containsExactly(expected);
    }

    @Test
    void contrastOnOneChannelUsesThatChannelsMean() {
        float[] image = {0.2f, 0.4f, 0.9f, 0.5f}; // mean 0.5
        ColorJitter.adjustContrast(image, 1, 4, 1.4f);
        // 1.4 x - 0.2, clamped: 0.08, 0.36, 1.06 -> 1, 0.5
        assertThat(image).usingComparatorWithPrecision(1e-6f).containsExactly(0.08f, 0.36f, 1f, 0.5f);
    }

    @Test
    void saturationBlendsWithPerPixelLumaAndIsIdentityOnGray() {
        float[] image = {1f, 0f, 0f}; // one red pixel, [3, 1]
        ColorJitter.adjustSaturation(image, 3, 1, 0f);
        assertThat(image).usingComparatorWithPrecision(1e-7f).containsExactly(0.299f, 0.299f, 0.299f);
        float[] gray = {0.3f, 0.7f};
        ColorJitter.adjustSaturation(gray, 1, 2, 0.8f);
        assertThat(gray).containsExactly(0.3f, 0.7f);
    }

    @Test
    void hueRotatesInHsvAndIsIdentityOnGray() {
        float[] red = {1f, 0f, 0f};
        ColorJitter.adjustHue(red, 3, 1, 1f / 3f);
        assertThat(red).usingComparatorWithPrecision(1e-6f).containsExactly(0f, 1f, 0f);
        float[] red2 = {1f, 0f, 0f};
        ColorJitter.adjustHue(red2, 3, 1, -1f / 3f);
        assertThat(red2).usingComparatorWithPrecision(1e-6f).containsExactly(0f, 0f, 1f);
        // Orange (1, 0.5, 0) has hue 30 degrees; +180 degrees is azure (0, 0.5, 1).
        float[] orange = {1f, 0.5f, 0f};
        ColorJitter.adjustHue(orange, 3, 1, 0.5f);
        assertThat(orange).usingComparatorWithPrecision(1e-6f).containsExactly(0f, 0.5f, 1f);
        float[] gray = {0.3f, 0.7f};
        ColorJitter.adjustHue(gray, 1, 2, 0.1f);
        assertThat(gray).containsExactly(0.3f, 0.7f);
    }

    @Test
    void zeroHueShiftRoundTripsThroughHsv() {
        SplittableRandom rng = new SplittableRandom(12);
        int plane = 500;
        float[] image = new float[3 * plane];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) rng.nextDouble();
        }
        float[] copy = image.clone();
        ColorJitter.adjustHue(image, 3, plane, 0f);
        for (int i = 0; i < image.length; i++) {
            // rgb -> hsv -> rgb in float32 loses a few ulps
            assertThat(image[i]).isCloseTo(copy[i], within(2e-6f));
        }
    }

    @Test
    void applyRunsTheOpsInTheDrawnOrder() {
        // brightness 0.5 then contrast 0 gives the mean of the halved image; the other order gives half the mean.
        float[] a = {0.2f, 1f};
        float[] b = {0.2f, 1f};
        ColorJitter.apply(new ColorJitter.Params(new int[] {0, 1, 2, 3}, 0.5f, 0f, 1f, 0f), a, 1, 2);
        ColorJitter.apply(new ColorJitter.Params(new int[] {1, 0, 2, 3}, 0.5f, 0f, 1f, 0f), b, 1, 2);
        assertThat(a).usingComparatorWithPrecision(1e-7f).containsExactly(0.3f, 0.3f);
        assertThat(b).usingComparatorWithPrecision(1e-7f).containsExactly(0.3f, 0.3f);
        float[] c = {0.2f, 1f};
        float[] d = {0.2f, 1f};
        // brightness 2 clamps 1 -> 1 and 0.2 -> 0.4 (mean 0.7) vs contrast first (0.6, 0.6) then 1.2.
        ColorJitter.apply(new ColorJitter.Params(new int[] {0, 1, 2, 3}, 2f, 0f, 1f, 0f), c, 1, 2);
        ColorJitter.apply(new ColorJitter.Params(new int[] {1, 0, 2, 3}, 2f, 0f, 1f, 0f), d, 1, 2);
        assertThat(c).usingComparatorWithPrecision(1e-7f).containsExactly(0.7f, 0.7f);
        assertThat(d).containsExactly(1f, 1f);
    }
}
