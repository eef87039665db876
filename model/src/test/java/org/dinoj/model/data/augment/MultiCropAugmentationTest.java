package org.dinoj.model.data.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.dinoj.model.data.Image;
import org.junit.jupiter.api.Test;

class MultiCropAugmentationTest {
    private static final int IMAGES = 3000;
    private static final CropsConfig SMALL = new CropsConfig(new Interval(0.32, 1.0), 4, new Interval(0.05, 0.32), 16, 8);

    /** Observed rate of a Bernoulli(p) over n draws must be within 5 standard deviations of p. */
    private static void assertRate(long hits, long n, double p) {
        double sd = Math.sqrt(p * (1 - p) / n);
        assertThat((double) hits / n).isCloseTo(p, within(5 * sd + 1e-12));
    }

    private static List<AppliedAugmentation> run(AugmentationConfig config, Image image, int images) {
        List<AppliedAugmentation> trace = new ArrayList<>();
        MultiCropAugmentation augmentation = new MultiCropAugmentation(config, trace::add);
        for (int i = 0; i < images; i++) {
            augmentation.apply(image, new SplittableRandom(i));
        }
        return trace;
    }

    @Test
    void probabilitiesMatchDinov2EffectiveBlur() {
        List<AppliedAugmentation> trace = run(new AugmentationConfig(SMALL, BlurProbabilities.DINOV2_EFFECTIVE,
                Normalization.imagenetRgb()), BicubicResamplerTest.randomImage(3, 32, 32, 1), IMAGES);
        assertThat(trace).hasSize(IMAGES * 6);
        assertCommonRates(trace);
        assertBlurRates(trace, 0.0, 0.9, 0.5);
    }

    @Test
    void probabilitiesMatchDinoV1Blur() {
        List<AppliedAugmentation> trace = run(new AugmentationConfig(SMALL, BlurProbabilities.DINO_V1, Normalization.imagenetRgb()),
                BicubicResamplerTest.randomImage(3, 32, 32, 2), IMAGES);
        assertCommonRates(trace);
        assertBlurRates(trace, 1.0, 0.1, 0.5);
    }

    @Test
    void theJitterAndSolarizeProbabilitiesAreTheConfiguredOnes() {
        Image image = BicubicResamplerTest.randomImage(3, 32, 32, 6);
        List<AppliedAugmentation> off = run(new AugmentationConfig(SMALL, BlurProbabilities.DINOV2_EFFECTIVE,
                Normalization.imagenetRgb(), 0.0, 1.0), image, 500);
        assertThat(off).noneMatch(a -> a.jitter() != null);
        assertThat(off.stream().filter(a -> a.kind() == CropKind.GLOBAL_2)).allMatch(AppliedAugmentation::solarized);
        assertThat(off.stream().filter(a -> a.kind() != CropKind.GLOBAL_2)).noneMatch(AppliedAugmentation::solarized);
        List<AppliedAugmentation> half = run(new AugmentationConfig(SMALL, BlurProbabilities.DINOV2_EFFECTIVE,
                Normalization.imagenetRgb(), 0.5, 0.5), image, IMAGES);
        assertRate(half.stream().filter(a -> a.jitter() != null).count(), half.size(), 0.5);
        List<AppliedAugmentation> second = half.stream().filter(a -> a.kind() == CropKind.GLOBAL_2).toList();
        assertRate(second.stream().filter(AppliedAugmentation::solarized).count(), second.size(), 0.5);
    }

    @Test
    void aProbabilityOutsideZeroToOneIsRefused() {
        assertThatThrownBy(() -> new AugmentationConfig(SMALL, BlurProbabilities.NONE, Normalization.imagenetRgb(), 1.5, 0.2))
                .hasMessageContaining("colour jitter probability is 1.5");
        assertThatThrownBy(() -> new AugmentationConfig(SMALL, BlurProbabilities.NONE, Normalization.imagenetRgb(), 0.8, Double.NaN))
                .hasMessageContaining("solarize probability is NaN");
    }

    private static void assertCommonRates(List<AppliedAugmentation> trace) {
        long n = trace.size();
        assertRate(trace.stream().filter(AppliedAugmentation::flipped).count(), n, 0.5);
        assertRate(trace.stream().filter(a -> a.jitter() != null).count(), n, 0.8);
        assertRate(trace.stream().filter(AppliedAugmentation::grayscale).count(), n, 0.2);
        List<AppliedAugmentation> second = trace.stream().filter(a -> a.kind() == CropKind.GLOBAL_2).toList();
        assertRate(second.stream().filter(AppliedAugmentation::solarized).count(), second.size(), 0.2);
        assertThat(trace.stream().filter(a -> a.kind() != CropKind.GLOBAL_2).noneMatch(AppliedAugmentation::solarized)).isTrue();
        for (AppliedAugmentation a : trace) {
            if (a.jitter() != null) {
                assertThat(a.jitter().brightness()).isBetween(0.6f, 1.4f);
                assertThat(a.jitter().contrast()).isBetween(0.6f, 1.4f);
                assertThat(a.jitter().saturation()).isBetween(0.8f, 1.2f);
                assertThat(a.jitter().hue()).isBetween(-0.1f, 0.1f);
            }
            if (a.blurred()) {
                assertThat(a.blurSigma()).isBetween(0.1, 2.0);
            }
        }
    }

    private static void assertBlurRates(List<AppliedAugmentation> trace, double global1, double global2, double local) {
        double[] expected = {global1, global2, local};
        for (CropKind kind : CropKind.values()) {
            List<AppliedAugmentation> crops = trace.stream().filter(a -> a.kind() == kind).toList();
            long blurred = crops.stream().filter(AppliedAugmentation::blurred).count();
            double p = expected[kind.ordinal()];
            if (p == 0 || p == 1) {
                assertThat(blurred).isEqualTo((long) (p * crops.size()));
            } else {
                assertRate(blurred, crops.size(), p);
            }
        }
    }

    @Test
    void cropBoxesFollowTheGlobalAndLocalScaleRanges() {
        List<AppliedAugmentation> trace = run(AugmentationConfig.dinov2Rgb().withCrops(SMALL),
                BicubicResamplerTest.randomImage(3, 60, 60, 3), 1000);
        double area = 60.0 * 60.0;
        for (AppliedAugmentation a : trace) {
            Interval scale = a.kind() == CropKind.LOCAL ? SMALL.localCropsScale() : SMALL.globalCropsScale();
            double fraction = a.box().height() * (double) a.box().width() / area;
            // Each side is rounded to an integer: the area moves by at most about (h + w) / 2 px.
            double slack = (a.box().height() + a.box().width()) / 2.0 / area + 1e-9;
            assertThat(fraction).isBetween(scale.min() - slack, scale.max() + slack);
        }
    }

    @Test
    void outputShapesAndDeterminismBySeed() {
        MultiCropAugmentation augmentation = new MultiCropAugmentation(AugmentationConfig.dinov2Rgb().withCrops(SMALL));
        Image image = BicubicResamplerTest.randomImage(3, 40, 30, 4);
        MultiCropSample a = augmentation.apply(image, new SplittableRandom(7));
        MultiCropSample b = augmentation.apply(image, new SplittableRandom(7));
        MultiCropSample c = augmentation.apply(image, new SplittableRandom(8));
        assertThat(a.channels()).isEqualTo(3);
        assertThat(a.globalCrops()).hasNumberOfRows(2);
        assertThat(a.localCrops()).hasNumberOfRows(4);
        assertThat(a.globalCrops()[0]).hasSize(3 * 16 * 16);
        assertThat(a.localCrops()[3]).hasSize(3 * 8 * 8);
        assertThat(a.globalCrops()).isDeepEqualTo(b.globalCrops());
        assertThat(a.localCrops()).isDeepEqualTo(b.localCrops());
        assertThat(a.globalCrops()[0]).isNotEqualTo(c.globalCrops()[0]);
        assertThat(a.globalCrops()[0]).isNotEqualTo(a.globalCrops()[1]);
    }

    @Test
    void grayscaleImagesStayOneChannel() {
        Normalization gray = Normalization.grayscale(0.286f, 0.353f);
        MultiCropAugmentation augmentation = new MultiCropAugmentation(new AugmentationConfig(
                new CropsConfig(new Interval(0.32, 1.0), 6, new Interval(0.05, 0.32), 28, 12), BlurProbabilities.DINOV2_EFFECTIVE, gray));
        Image digit = BicubicResamplerTest.randomImage(1, 28, 28, 5);
        MultiCropSample sample = augmentation.apply(digit, new SplittableRandom(9));
        assertThat(sample.channels()).isEqualTo(1);
        assertThat(sample.globalCrops()[1]).hasSize(28 * 28);
        assertThat(sample.localCrops()).hasNumberOfRows(6);
        assertThat(sample.localCrops()[0]).hasSize(12 * 12);
        for (float[] crop : sample.localCrops()) {
            for (float v : crop) {
                // normalised [0, 1] pixels: (0 - m) / s .. (1 - m) / s
                assertThat(v).isBetween((0 - 0.286f) / 0.353f - 1e-6f, (1 - 0.286f) / 0.353f + 1e-6f);
            }
        }
    }

    @Test
    void constantGrayImageNormalisesToKnownValuesWhenNothingChangesIt() {
        // Resize, flip, grayscale and blur keep a constant mid-gray image constant; jitter and
        // solarize do not, so only crops that skipped both are checked.
        Image image = BicubicResamplerTest.constant(3, 20, 20, 0.25f);
        List<AppliedAugmentation> trace = new ArrayList<>();
        MultiCropAugmentation augmentation = new MultiCropAugmentation(AugmentationConfig.dinov2Rgb().withCrops(SMALL), trace::add);
        float[] mean = {0.485f, 0.456f, 0.406f};
        float[] std = {0.229f, 0.224f, 0.225f};
        int checked = 0;
        for (int seed = 0; seed < 50; seed++) {
            trace.clear();
            MultiCropSample sample = augmentation.apply(image, new SplittableRandom(seed));
            for (int k = 0; k < trace.size(); k++) {
                AppliedAugmentation a = trace.get(k);
                if (a.jitter() != null || a.solarized()) {
                    continue;
                }
                float[] crop = k < 2 ? sample.globalCrops()[k] : sample.localCrops()[k - 2];
                int plane = crop.length / 3;
                for (int c = 0; c < 3; c++) {
                    // float resampling and luma weights summing to 1 within float rounding
                    assertThat(crop[c * plane + plane / 2]).isCloseTo((0.25f - mean[c]) / std[c], within(1e-5f));
                }
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(20);
    }

    @Test
    void grayscaleImagesMeetAnRgbModelAsTheirPlaneRepeated() {
        // A folder of photos with a few grayscale files: each is trained on as PIL's convert("RGB") gives it.
        MultiCropAugmentation augmentation = new MultiCropAugmentation(AugmentationConfig.dinov2Rgb().withCrops(SMALL));
        Image gray = BicubicResamplerTest.randomImage(1, 20, 20, 6);
        float[] repeated = new float[3 * 400];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(gray.pixels(), 0, repeated, c * 400, 400);
        }
        MultiCropSample fromGray = augmentation.apply(gray, new SplittableRandom(1));
        MultiCropSample fromRgb = augmentation.apply(new Image(3, 20, 20, repeated), new SplittableRandom(1));
        assertThat(fromGray.channels()).isEqualTo(3);
        for (int k = 0; k < 2; k++) {
            assertThat(fromGray.globalCrops()[k]).containsExactly(fromRgb.globalCrops()[k]);
        }
        for (int k = 0; k < SMALL.localCropsNumber(); k++) {
            assertThat(fromGray.localCrops()[k]).containsExactly(fromRgb.localCrops()[k]);
        }
    }

    @Test
    void rgbImagesMeetAGrayscaleModelAsTheirLuma() {
        AugmentationConfig config = new AugmentationConfig(SMALL, BlurProbabilities.DINOV2_EFFECTIVE,
                Normalization.grayscale(0.286f, 0.353f));
        MultiCropAugmentation augmentation = new MultiCropAugmentation(config);
        Image rgb = BicubicResamplerTest.randomImage(3, 20, 20, 6);
        float[] luma = new float[400];
        for (int i = 0; i < 400; i++) {
            luma[i] = 0.299f * rgb.pixels()[i] + 0.587f * rgb.pixels()[400 + i] + 0.114f * rgb.pixels()[800 + i];
        }
        MultiCropSample fromRgb = augmentation.apply(rgb, new SplittableRandom(3));
        MultiCropSample fromLuma = augmentation.apply(new Image(1, 20, 20, luma), new SplittableRandom(3));
        assertThat(fromRgb.channels()).isEqualTo(1);
        assertThat(fromRgb.globalCrops()[1]).containsExactly(fromLuma.globalCrops()[1]);
        assertThat(fromRgb.localCrops()[0]).containsExactly(fromLuma.localCrops()[0]);
    }

    @Test
    void imagesOfOtherChannelCountsAreRefusedNamingTheKey() {
        MultiCropAugmentation augmentation = new MultiCropAugmentation(AugmentationConfig.dinov2Rgb().withCrops(SMALL));
        Image fourChannels = BicubicResamplerTest.randomImage(4, 20, 20, 6);
        assertThatThrownBy(() -> augmentation.apply(fourChannels, new SplittableRandom(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a 4-channel image cannot be given to a model of 3 channel(s) (student.in_chans): only"
                        + " grayscale and RGB images convert to each other");
    }
}
