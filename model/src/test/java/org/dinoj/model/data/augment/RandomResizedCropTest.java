package org.dinoj.model.data.augment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomResizedCropTest {

    @Test
    void cropsRespectAreaAndRatioRangesUpToRounding() {
        // Square, so that a crop of the whole area is allowed by the ratio range.
        int height = 200;
        int width = 200;
        Interval scale = new Interval(0.32, 1.0);
        SplittableRandom rng = new SplittableRandom(1);
        double area = height * width;
        double smallest = 1;
        double largest = 0;
        for (int i = 0; i < 20_000; i++) {
            CropBox box = RandomResizedCrop.sample(height, width, scale, rng);
            int h = box.height();
            int w = box.width();
            assertThat(box.top() + h).isLessThanOrEqualTo(height);
            assertThat(box.left() + w).isLessThanOrEqualTo(width);
            // w and h are rounded to integers, so the drawn (real) sides lie within 0.5 of them.
            assertThat((w + 0.5) * (h + 0.5)).isGreaterThanOrEqualTo(scale.min() * area);
            assertThat((w - 0.5) * (h - 0.5)).isLessThanOrEqualTo(scale.max() * area);
            assertThat((w + 0.5) / (h - 0.5)).isGreaterThanOrEqualTo(3.0 / 4.0);
            assertThat((w - 0.5) / (h + 0.5)).isLessThanOrEqualTo(4.0 / 3.0);
            smallest = Math.min(smallest, w * h / area);
            largest = Math.max(largest, w * h / area);
        }
        // The whole range is used, not just a corner of it.
        assertThat(smallest).isLessThan(0.33);
        assertThat(largest).isGreaterThan(0.95);
    }

    @Test
    void localScaleRangeIsRespected() {
        Interval scale = new Interval(0.05, 0.32);
        SplittableRandom rng = new SplittableRandom(2);
        double area = 224.0 * 224.0;
        for (int i = 0; i < 20_000; i++) {
            CropBox box = RandomResizedCrop.sample(224, 224, scale, rng);
            double fraction = box.width() * (double) box.height() / area;
            // Rounding each side by up to 0.5 px moves the area by at most about (w + h) / 2 px.
            double slack = (box.width() + box.height()) / 2.0 / area + 1e-9;
            assertThat(fraction).isBetween(0.05 - slack, 0.32 + slack);
        }
    }

    @Test
    void impossibleDrawsFallBackToTheCentredRatioClampedCrop() {
        // A 10x1000 strip cannot hold any crop of ratio <= 4/3 and area >= 90%, so all 10 tries fail:
        // torchvision then takes h = 10, w = round(10 * 4/3) = 13, centred: left = (1000 - 13) // 2 = 493.
        CropBox box = RandomResizedCrop.sample(10, 1000, new Interval(0.9, 1.0), new SplittableRandom(3));
        assertThat(box).isEqualTo(new CropBox(0, 493, 10, 13));
        // Tall image: w = 10, h = round(10 / (3/4)) = 13, top = (1000 - 13) // 2 = 493.
        assertThat(RandomResizedCrop.centreFallback(1000, 10)).isEqualTo(new CropBox(493, 0, 13, 10));
        // Ratio already in range: the whole image.
        assertThat(RandomResizedCrop.centreFallback(30, 28)).isEqualTo(new CropBox(0, 0, 30, 28));
    }

    @Test
    void placementIsUniformOverTheFreeRange() {
        // With scale (0.25, 0.25) on 100x100 the crop is about 50x50, so top ranges over 0..~50.
        SplittableRandom rng = new SplittableRandom(4);
        double sumTop = 0;
        double sumFree = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            CropBox box = RandomResizedCrop.sample(100, 100, new Interval(0.25, 0.25), rng);
            sumTop += box.top();
            sumFree += (100 - box.height()) / 2.0;
        }
        // Mean of a uniform integer on [0, free] is free / 2; 5 standard errors of ~15 / sqrt(n).
        assertThat(Math.abs(sumTop - sumFree) / n).isLessThan(5 * 15 / Math.sqrt(n));
    }
}
