package org.dinoj.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SyntheticDatasetTest {
    @Test
    void defaultsAreGrayscale28With10Classes() throws java.io.IOException {
        Dataset data = Datasets.open("synthetic:50", Split.TRAIN);
        assertThat(data.size()).isEqualTo(50);
        assertThat(data.numClasses()).isEqualTo(10);
        assertThat(data.label(23)).isEqualTo(3);
        Image image = data.image(7);
        assertThat(new int[] {image.channels(), image.height(), image.width()}).containsExactly(1, 28, 28);
        for (float p : image.pixels()) {
            assertThat(p).isBetween(0f, 1f);
        }
    }

    @Test
    void sizeChannelsAndClassesFromSpec() throws java.io.IOException {
        Dataset data = Datasets.open("synthetic:20:16x12x3:4", Split.TRAIN);
        Image image = data.image(0);
        assertThat(new int[] {image.channels(), image.height(), image.width()}).containsExactly(3, 16, 12);
        assertThat(data.numClasses()).isEqualTo(4);
        assertThat(data.label(6)).isEqualTo(2);
    }

    @Test
    void deterministicByIndexAndDifferentPerSplit() throws java.io.IOException {
        Dataset a = Datasets.open("synthetic:10", Split.TRAIN);
        Dataset b = Datasets.open("synthetic:10", Split.TRAIN);
        Dataset test = Datasets.open("synthetic:10", Split.TEST);
        assertThat(a.image(4).pixels()).containsExactly(b.image(4).pixels());
        assertThat(a.image(4).pixels()).isNotEqualTo(a.image(5).pixels());
        assertThat(a.image(4).pixels()).isNotEqualTo(test.image(4).pixels());
    }

    @Test
    void classesDifferInOrientation() throws java.io.IOException {
        // Class 0 of 10 is a grating along x, class 5 the same rotated by 90 degrees, both with a
        // whole number of cycles across the image. So for class 0 the column means (averaged over
        // y, which also averages the noise away) vary and the row means are flat, and the other
        // way round for class 5. A factor 10 leaves room for the noise (sigma 0.05 / sqrt(28)).
        Dataset data = Datasets.open("synthetic:100", Split.TRAIN);
        for (int i = 0; i < 100; i += 5) {
            Image image = data.image(i);
            double[] rowMeans = new double[28];
            double[] columnMeans = new double[28];
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    rowMeans[y] += image.get(0, y, x) / 28.0;
                    columnMeans[x] += image.get(0, y, x) / 28.0;
                }
            }
            double across = variance(columnMeans);
            double down = variance(rowMeans);
            if (data.label(i) == 0) {
                assertThat(across).as("image %d", i).isGreaterThan(10 * down);
            } else {
                assertThat(down).as("image %d", i).isGreaterThan(10 * across);
            }
        }
    }

    private static double variance(double[] v) {
        double mean = java.util.Arrays.stream(v).average().orElseThrow();
        return java.util.Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / v.length;
    }

    @Test
    void badSpecsAreClearErrors() throws java.io.IOException {
        assertThatThrownBy(() -> Datasets.open("synthetic:0", Split.TRAIN))
                .isInstanceOf(DatasetSpecException.class).hasMessageContaining("positive count");
        assertThatThrownBy(() -> Datasets.open("synthetic:abc", Split.TRAIN))
                .isInstanceOf(DatasetSpecException.class).hasMessageContaining("synthetic:N[:HxW[xC]][:K]");
    }
}
