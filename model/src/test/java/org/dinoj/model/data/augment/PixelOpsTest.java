package org.dinoj.model.data.augment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PixelOpsTest {

    @Test
    void solarizeInvertsPixelsAtOrAbove128Of255() {
        float[] pixels = {0f, 127f / 255f, 128f / 255f, 200f / 255f, 1f, 0.4f};
        Solarize.applyInPlace(pixels);
        // PIL: v < 128 stays, v >= 128 becomes 255 - v.
        assertThat(pixels).usingComparatorWithPrecision(1e-7f).containsExactly(0f, 127f / 255f, 127f / 255f, 55f / 255f, 0f, 0.4f);
    }

    @Test
    void grayscaleWritesLumaToAllChannelsAndLeavesOneChannelAlone() {
        float[] rgb = {1f, 0f, 0f, 1f, 0f, 1f}; // [3, 2]: red, green+blue... pixel 0 = (1,0,0), pixel 1 = (0,1,1)
        Grayscale.applyInPlace(rgb, 3, 2);
        assertThat(rgb).usingComparatorWithPrecision(1e-7f).containsExactly(0.299f, 0.701f, 0.299f, 0.701f, 0.299f, 0.701f);
        float[] gray = {0.25f, 0.75f};
        Grayscale.applyInPlace(gray, 1, 2);
        assertThat(gray).containsExactly(0.25f, 0.75f);
    }
}
