package org.dinoj.model.data.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.dinoj.model.data.Image;
import org.junit.jupiter.api.Test;

class ChannelConversionTest {

    @Test
    void grayscaleBecomesThreeEqualPlanes() {
        Image gray = new Image(1, 1, 2, new float[] {0.25f, 1f});
        Image rgb = ChannelConversion.toChannels(gray, 3);
        assertThat(rgb.channels()).isEqualTo(3);
        assertThat(rgb.pixels()).containsExactly(0.25f, 1f, 0.25f, 1f, 0.25f, 1f);
    }

    @Test
    void rgbBecomesPilsLuma() {
        // Pure red, green, blue and white: PIL's "L" gives 299/1000, 587/1000, 114/1000 and 1 of full scale.
        Image rgb = new Image(3, 1, 4, new float[] {1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1});
        Image gray = ChannelConversion.toChannels(rgb, 1);
        assertThat(gray.channels()).isEqualTo(1);
        assertThat(gray.pixels()[0]).isCloseTo(0.299f, within(1e-7f));
        assertThat(gray.pixels()[1]).isCloseTo(0.587f, within(1e-7f));
        assertThat(gray.pixels()[2]).isCloseTo(0.114f, within(1e-7f));
        assertThat(gray.pixels()[3]).isCloseTo(1f, within(1e-6f));
    }

    @Test
    void anImageWithTheChannelsAlreadyIsReturnedAsItIs() {
        Image rgb = BicubicResamplerTest.randomImage(3, 4, 4, 1);
        assertThat(ChannelConversion.toChannels(rgb, 3)).isSameAs(rgb);
    }

    @Test
    void theEvaluationTransformConvertsToo() {
        // k-NN over a folder with grayscale files among colour ones: each is scored as its repeated plane.
        Image gray = BicubicResamplerTest.randomImage(1, 30, 24, 2);
        float[] repeated = new float[3 * 30 * 24];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(gray.pixels(), 0, repeated, c * 720, 720);
        }
        EvalTransform transform = new EvalTransform(16, Normalization.imagenetRgb());
        float[] fromGray = new float[3 * 256];
        float[] fromRgb = new float[3 * 256];
        transform.apply(gray, fromGray, 0);
        transform.apply(new Image(3, 30, 24, repeated), fromRgb, 0);
        assertThat(fromGray).containsExactly(fromRgb);
    }
}
