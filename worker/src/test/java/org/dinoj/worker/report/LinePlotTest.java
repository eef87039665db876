package org.dinoj.worker.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinePlotTest {
    /** The first palette colour (#1f77b4); anti-aliased edges blend it, so the test matches within 40 per channel. */
    private static boolean isFirstSeriesColour(int rgb) {
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        return Math.abs(r - 0x1f) < 40 && Math.abs(g - 0x77) < 40 && Math.abs(b - 0xb4) < 40;
    }

    @Test
    void aRisingLineIsDrawnFromBottomLeftToTopRightAndThePngDecodes(@TempDir Path dir) throws Exception {
        double[] x = new double[200];
        double[] y = new double[200];
        for (int i = 0; i < x.length; i++) {
            x[i] = i / 10.0;
            y[i] = 50 + i * 0.2;
        }
        Path file = dir.resolve("rising.png");
        new LinePlot("rising", "epoch", "top-1 (%)").add("top-1", x, y).writePng(file, 640, 400);

        BufferedImage png = ImageIO.read(file.toFile());
        assertThat(png.getWidth()).isEqualTo(640);
        assertThat(png.getHeight()).isEqualTo(400);
        // Where the curve is: coloured pixels, spanning most of the plot width, higher (smaller row) on the right.
        long count = 0;
        double sumLeftRow = 0;
        double sumRightRow = 0;
        long left = 0;
        long right = 0;
        int minX = Integer.MAX_VALUE;
        int maxX = 0;
        for (int py = 0; py < png.getHeight(); py++) {
            for (int px = 0; px < png.getWidth(); px++) {
                if (isFirstSeriesColour(png.getRGB(px, py))) {
                    count++;
                    minX = Math.min(minX, px);
                    maxX = Math.max(maxX, px);
                    if (px < 250) {
                        sumLeftRow += py;
                        left++;
                    } else if (px > 400 && px < 480) {
                        sumRightRow += py;
                        right++;
                    }
                }
            }
        }
        assertThat(count).isGreaterThan(400);
        assertThat(maxX - minX).as("curve width in pixels").isGreaterThan(450);
        assertThat(left).isPositive();
        assertThat(right).isPositive();
        assertThat(sumRightRow / right).as("mean row on the right").isLessThan(sumLeftRow / left - 50);
    }

    @Test
    void aPlotWithoutSeriesHasAxesButNoCurve() {
        BufferedImage image = new LinePlot("empty", "x", "y").render(320, 240);
        long coloured = 0;
        long dark = 0;
        for (int py = 0; py < image.getHeight(); py++) {
            for (int px = 0; px < image.getWidth(); px++) {
                int rgb = image.getRGB(px, py);
                if (isFirstSeriesColour(rgb)) {
                    coloured++;
                }
                if ((rgb & 0xffffff) == 0) {
                    dark++;
                }
            }
        }
        assertThat(coloured).isZero();
        assertThat(dark).as("black axis frame and labels").isGreaterThan(2 * (320 - 90));
    }

    @Test
    void ticksAreNiceNumbersInsideTheRange() {
        assertThat(LinePlot.ticks(new LinePlot.Range(0, 1))).containsExactly(0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0);
        // span 8.5: a step of 1 would give 9 ticks (more than 8), so the step is 2
        assertThat(LinePlot.ticks(new LinePlot.Range(83.2, 91.7))).containsExactly(84, 86, 88, 90);
        assertThat(LinePlot.ticks(new LinePlot.Range(83.2, 88.9))).containsExactly(84, 85, 86, 87, 88);
        assertThat(LinePlot.format(0.30000000000000004, 0.1)).isEqualTo("0.3");
        assertThat(LinePlot.format(1500, 500)).isEqualTo("1500");
    }

    @Test
    void mismatchedSeriesAreRefused() {
        assertThatThrownBy(() -> new LinePlot.Series("s", new double[2], new double[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 x values and 3 y values");
    }
}
