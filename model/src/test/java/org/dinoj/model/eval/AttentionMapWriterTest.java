package org.dinoj.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.dinoj.model.eval.AttentionMapWriter.Upsampling;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttentionMapWriterTest {
    private static final int LOW = 0x440154; // viridis at 0
    private static final int HIGH = 0xFDE725; // viridis at 1

    @TempDir
    Path dir;

    @Test
    void nearestUpsamplingRepeatsEachPatchAsABlock() {
        float[] grid = {1, 2, 3, 4}; // [2, 2]
        float[] out = AttentionMapWriter.upsample(grid, 0, 2, 2, 4, 6, Upsampling.NEAREST);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 6; x++) {
                assertThat(out[y * 6 + x]).isEqualTo(grid[(y / 2) * 2 + x / 3]);
            }
        }
    }

    @Test
    void bilinearUpsamplingMatchesHalfPixelCentres() {
        // torch.nn.functional.interpolate([[0, 1]], size=4, mode='linear', align_corners=False) = [0, .25, .75, 1]
        float[] out = AttentionMapWriter.upsample(new float[] {0, 1}, 0, 1, 2, 1, 4, Upsampling.BILINEAR);
        assertThat(out).containsExactly(0f, 0.25f, 0.75f, 1f);
        // A ramp over a 3x3 grid, value = 2*gy + gx, stays the same ramp in grid coordinates,
        // clamped at the borders. Tolerance: float rounding of the interpolation.
        float[] ramp = new float[9];
        for (int gy = 0; gy < 3; gy++) {
            for (int gx = 0; gx < 3; gx++) {
                ramp[gy * 3 + gx] = 2 * gy + gx;
            }
        }
        float[] big = AttentionMapWriter.upsample(ramp, 0, 3, 3, 12, 12, Upsampling.BILINEAR);
        for (int y = 0; y < 12; y++) {
            for (int x = 0; x < 12; x++) {
                double sy = Math.min(2, Math.max(0, (y + 0.5) / 4 - 0.5));
                double sx = Math.min(2, Math.max(0, (x + 0.5) / 4 - 0.5));
                assertThat((double) big[y * 12 + x]).isCloseTo(2 * sy + sx, within(1e-5));
            }
        }
    }

    @Test
    void writesOnePngPerHeadAndTheMeanWithThePeakWhereTheAttentionIs() throws IOException {
        int gridH = 3;
        int gridW = 4;
        int patches = gridH * gridW;
        float[] attention = new float[2 * patches];
        attention[1 * gridW + 2] = 1f; // head 0 looks only at patch (1, 2)
        for (int p = 0; p < patches; p++) {
            attention[patches + p] = 1f / patches; // head 1 is uniform
        }
        List<Path> files = AttentionMapWriter.write(attention, 2, gridH, gridW, 24, 32, Upsampling.NEAREST, dir, "img7");

        assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("img7-head0.png", "img7-head1.png", "img7-mean.png");
        BufferedImage head0 = ImageIO.read(files.get(0).toFile());
        BufferedImage head1 = ImageIO.read(files.get(1).toFile());
        BufferedImage mean = ImageIO.read(files.get(2).toFile());
        assertThat(head0.getWidth()).isEqualTo(32);
        assertThat(head0.getHeight()).isEqualTo(24);
        for (int y = 0; y < 24; y++) {
            for (int x = 0; x < 32; x++) {
                boolean inPeak = y / 8 == 1 && x / 8 == 2; // patches are 8x8 pixels here
                assertThat(head0.getRGB(x, y) & 0xFFFFFF).isEqualTo(inPeak ? HIGH : LOW);
                assertThat(head1.getRGB(x, y) & 0xFFFFFF).isEqualTo(LOW); // constant map: all 0
                // The mean (head0 + uniform) / 2 has the same single peak after min-max scaling.
                assertThat(mean.getRGB(x, y) & 0xFFFFFF).isEqualTo(inPeak ? HIGH : LOW);
            }
        }
    }

    @Test
    void meanMapAveragesTheHeads() throws IOException {
        // Head 0 peaks at patch 0 (weight 1), head 1 at patch 3 (weight 0.5): the mean is 0.5 at
        // patch 0, 0.25 at patch 3, 0 elsewhere, so after min-max scaling patch 3 sits at t = 0.5.
        float[] attention = {1, 0, 0, 0, 0, 0, 0, 0.5f};
        List<Path> files = AttentionMapWriter.write(attention, 2, 2, 2, 2, 2, Upsampling.NEAREST, dir, "m");
        BufferedImage mean = ImageIO.read(files.get(2).toFile());
        assertThat(mean.getRGB(0, 0) & 0xFFFFFF).isEqualTo(HIGH);
        assertThat(mean.getRGB(1, 1) & 0xFFFFFF).isEqualTo(Viridis.rgb(0.5));
        assertThat(mean.getRGB(1, 0) & 0xFFFFFF).isEqualTo(LOW);
    }

    @Test
    void viridisRunsFromDarkPurpleToYellowWithRisingLuminance() {
        assertThat(Viridis.rgb(0)).isEqualTo(LOW);
        assertThat(Viridis.rgb(1)).isEqualTo(HIGH);
        assertThat(Viridis.rgb(-3)).isEqualTo(LOW);
        assertThat(Viridis.rgb(7)).isEqualTo(HIGH);
        double previous = -1;
        for (int i = 0; i <= 100; i++) {
            int c = Viridis.rgb(i / 100.0);
            double luminance = 0.299 * (c >> 16 & 0xFF) + 0.587 * (c >> 8 & 0xFF) + 0.114 * (c & 0xFF);
            assertThat(luminance).isGreaterThan(previous);
            previous = luminance;
        }
    }

    @Test
    void wrongSizesAreRefused() {
        assertThatThrownBy(() -> AttentionMapWriter.write(new float[5], 2, 2, 2, 8, 8, Upsampling.NEAREST, dir, "x"))
                .hasMessageContaining("5 attention weights do not fill [2, 2 * 2]");
    }

    @Test
    void theCropIsWrittenGreyScaledToItsOwnRangeWithNearestBlocks() throws IOException {
        // 2x2 normalised crop: -1 (darkest), 0, 1 (brightest), 0.5; written 4x4.
        Path file = AttentionMapWriter.writeCrop(new float[] {-1f, 0f, 1f, 0.5f}, 1, 2, 4, 4, dir.resolve("in.png"));
        BufferedImage png = ImageIO.read(file.toFile());
        assertThat(png.getWidth()).isEqualTo(4);
        int[][] expected = {{0x000000, 0x808080}, {0xFFFFFF, 0xBFBFBF}};
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                assertThat(png.getRGB(x, y) & 0xFFFFFF).as("pixel %d,%d", x, y).isEqualTo(expected[y / 2][x / 2]);
            }
        }
        assertThatThrownBy(() -> AttentionMapWriter.writeCrop(new float[8], 2, 2, 4, 4, dir.resolve("x.png")))
                .hasMessageContaining("not a 1- or 3-channel 2x2 crop");
    }
}
