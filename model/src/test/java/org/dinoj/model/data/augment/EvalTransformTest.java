package org.dinoj.model.data.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.dinoj.model.data.Image;
import org.junit.jupiter.api.Test;

/** The evaluation transform's geometry (centre crop, resize only when needed) and normalisation. */
class EvalTransformTest {
    private static final Normalization RGB = Normalization.imagenetRgb();

    @Test
    void anImageWhoseShorterSideIsTheCropSizeIsOnlyCentreCroppedAndNormalisedAtItsOffset() {
        // 10 x 40 at size 10: columns 15..24 are kept as they are, then (x - mean) / std per channel.
        Image wide = BicubicResamplerTest.randomImage(3, 10, 40, 7);
        int offset = 5;
        float[] out = new float[offset + 3 * 100 + 4];
        Arrays.fill(out, -99f);
        new EvalTransform(10, RGB).apply(wide, out, offset);

        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 10; y++) {
                for (int x = 0; x < 10; x++) {
                    float source = wide.pixels()[c * 400 + y * 40 + 15 + x];
                    float expected = (source - RGB.mean()[c]) / RGB.std()[c];
                    assertThat(out[offset + c * 100 + y * 10 + x]).as("c %d y %d x %d", c, y, x).isEqualTo(expected);
                }
            }
        }
        // Nothing outside [offset, offset + C * size * size) is written.
        assertThat(Arrays.copyOfRange(out, 0, offset)).containsOnly(-99f);
        assertThat(Arrays.copyOfRange(out, offset + 300, out.length)).containsOnly(-99f);
    }

    @Test
    void aLargerImageIsCroppedToSevenEighthsOfItsShorterSideAroundItsCentreThenResized() {
        // 64 x 48 at size 14: Resize(14 / 0.875 = 16) then CenterCrop(14) keeps 14/16 of the 48
        // columns, 42, and as many rows, centred: the source box rows 11..52, columns 3..44.
        Image image = BicubicResamplerTest.randomImage(1, 64, 48, 11);
        Normalization gray = Normalization.grayscale(0.25f, 0.5f);
        float[] out = new float[14 * 14];
        new EvalTransform(14, gray).apply(image, out, 0);

        assertThat(out).containsExactly(normalisedCrop(image, new CropBox(11, 3, 42, 42)));
        // The box decides it: one column further left gives other values.
        assertThat(out).isNotEqualTo(normalisedCrop(image, new CropBox(11, 2, 42, 42)));
    }

    private static float[] normalisedCrop(Image image, CropBox box) {
        float[] crop = new float[14 * 14];
        new BicubicResampler().resizeCrop(image, box, 14, 14, false, crop);
        for (int i = 0; i < crop.length; i++) {
            crop[i] = (crop[i] - 0.25f) / 0.5f;
        }
        return crop;
    }

    @Test
    void aConstantImageNormalisesToOneValuePerChannel() {
        float[] pixels = new float[3 * 50 * 70];
        for (int c = 0; c < 3; c++) {
            Arrays.fill(pixels, c * 3500, (c + 1) * 3500, 0.1f * (c + 1));
        }
        float[] out = new float[3 * 20 * 20];
        new EvalTransform(20, RGB).apply(new Image(3, 50, 70, pixels), out, 0);
        for (int c = 0; c < 3; c++) {
            float expected = (0.1f * (c + 1) - RGB.mean()[c]) / RGB.std()[c];
            for (int i = c * 400; i < (c + 1) * 400; i++) {
                assertThat(out[i]).isCloseTo(expected, within(1e-5f));
            }
        }
    }
}
