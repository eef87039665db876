package org.dinoj.model.data.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MultiCropCollatorTest {

    /** Sample b whose global crop g holds 100 * b + g everywhere and local crop l holds 100 * b + 10 + l. */
    private static List<MultiCropSample> taggedSamples(int batch, int channels, int global, int local, int locals) {
        List<MultiCropSample> samples = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            float[][] g = new float[2][channels * global * global];
            float[][] l = new float[locals][channels * local * local];
            for (int k = 0; k < 2; k++) {
                Arrays.fill(g[k], 100 * b + k);
            }
            for (int k = 0; k < locals; k++) {
                Arrays.fill(l[k], 100 * b + 10 + k);
            }
            samples.add(new MultiCropSample(channels, global, local, g, l));
        }
        return samples;
    }

    @Test
    void stacksCropsInDinov2Order() {
        int batch = 3;
        MultiCropBatch out = new MultiCropCollator(MaskingConfig.dinov2Default(4), 16)
                .collate(taggedSamples(batch, 3, 16, 8, 5), new SplittableRandom(1));
        int globalPlane = 3 * 16 * 16;
        int localPlane = 3 * 8 * 8;
        assertThat(out.globalCrops()).hasSize(2 * batch * globalPlane);
        assertThat(out.localCrops()).hasSize(5 * batch * localPlane);
        for (int g = 0; g < 2; g++) {
            for (int b = 0; b < batch; b++) {
                int row = g * batch + b; // all first crops, then all second crops
                assertThat(out.globalCrops()[row * globalPlane]).isEqualTo(100f * b + g);
                assertThat(out.globalCrops()[(row + 1) * globalPlane - 1]).isEqualTo(100f * b + g);
            }
        }
        for (int l = 0; l < 5; l++) {
            for (int b = 0; b < batch; b++) {
                int row = l * batch + b;
                assertThat(out.localCrops()[row * localPlane]).isEqualTo(100f * b + 10 + l);
                assertThat(out.localCrops()[(row + 1) * localPlane - 1]).isEqualTo(100f * b + 10 + l);
            }
        }
        assertThat(out.patchesPerCrop()).isEqualTo(16);
        assertThat(out.masks()).hasSize(2 * batch * 16);
        assertThat(out.maskTargets()).hasSize(2 * batch);
    }

    @Test
    void halfOfTheGlobalCropsGetStratifiedMasks() {
        int batch = 8; // 16 global crops, int(16 * 0.5) = 8 masked, on a 16 x 16 grid (224 / 14)
        MultiCropCollator collator = new MultiCropCollator(MaskingConfig.dinov2Default(14), 224);
        int n = 256;
        int[] timesMasked = new int[2 * batch];
        int batches = 300;
        for (int seed = 0; seed < batches; seed++) {
            MultiCropBatch out = collator.collate(taggedSamples(batch, 1, 224, 14, 0), new SplittableRandom(seed));
            int[] targets = out.maskTargets();
            assertThat(Arrays.stream(targets).filter(t -> t > 0).count()).isEqualTo(8);
            int[] sorted = targets.clone();
            Arrays.sort(sorted);
            // Stratum i of 8 is [0.1 + 0.05 i, 0.1 + 0.05 (i + 1)]; targets are int(256 * ratio).
            // One float32 rounding step may move a boundary value by one patch.
            for (int i = 0; i < 8; i++) {
                int target = sorted[8 + i];
                assertThat(target).isBetween((int) (n * (0.1 + 0.05 * i)) - 1, (int) (n * (0.1 + 0.05 * (i + 1))));
            }
            // sum over strata of int(256 * upper ratio): 38 + 51 + 64 + 76 + 89 + 102 + 115 + 128
            assertThat(out.upperbound()).isEqualTo(663);
            int total = 0;
            for (int c = 0; c < 2 * batch; c++) {
                int count = 0;
                for (int p = 0; p < n; p++) {
                    count += out.masks()[c * n + p] ? 1 : 0;
                }
                assertThat(count).isLessThanOrEqualTo(targets[c]);
                assertThat(count / (double) n).isLessThanOrEqualTo(0.5);
                if (targets[c] > 0) {
                    assertThat(count).isPositive();
                    timesMasked[c]++;
                }
                total += count;
            }
            assertThat(out.nMaskedPatches()).isEqualTo(total).isLessThanOrEqualTo(out.upperbound());
        }
        // Which crops are masked is shuffled: each crop is masked in about half the batches
        // (expected 150 of 300, standard deviation ~8.7; 5 sd allowed).
        for (int c = 0; c < 2 * batch; c++) {
            assertThat(timesMasked[c]).isBetween(106, 194);
        }
    }

    @Test
    void indicesAndWeightsDescribeTheMasks() {
        MultiCropBatch out = new MultiCropCollator(MaskingConfig.dinov2Default(14), 224)
                .collate(taggedSamples(4, 1, 224, 14, 0), new SplittableRandom(3));
        int n = out.patchesPerCrop();
        int k = 0;
        for (int i = 0; i < out.masks().length; i++) {
            if (out.masks()[i]) {
                assertThat(out.maskIndices()[k]).isEqualTo(i);
                int crop = i / n;
                int count = 0;
                for (int p = crop * n; p < (crop + 1) * n; p++) {
                    count += out.masks()[p] ? 1 : 0;
                }
                assertThat(out.masksWeight()[k]).isEqualTo(1f / count);
                k++;
            }
        }
        assertThat(k).isEqualTo(out.nMaskedPatches()).isEqualTo(out.maskIndices().length);
        // Weights of one crop sum to 1, so the total is the number of crops with a mask.
        double sum = 0;
        for (float w : out.masksWeight()) {
            sum += w;
        }
        long maskedCrops = Arrays.stream(out.maskTargets()).filter(t -> t > 0).count();
        // float32 weights 1/count summed count times: relative error ~ count * 2^-24
        assertThat(sum).isCloseTo(maskedCrops, org.assertj.core.api.Assertions.within(1e-4));
    }

    @Test
    void sameSeedSameBatch() {
        MultiCropCollator collator = new MultiCropCollator(MaskingConfig.dinov2Default(14), 224);
        MultiCropBatch a = collator.collate(taggedSamples(4, 1, 224, 14, 0), new SplittableRandom(9));
        MultiCropBatch b = collator.collate(taggedSamples(4, 1, 224, 14, 0), new SplittableRandom(9));
        MultiCropBatch c = collator.collate(taggedSamples(4, 1, 224, 14, 0), new SplittableRandom(10));
        assertThat(a.masks()).isEqualTo(b.masks());
        assertThat(a.maskIndices()).isEqualTo(b.maskIndices());
        assertThat(a.masks()).isNotEqualTo(c.masks());
    }

    @Test
    void oddNumberOfMaskedCropsAndNoMasking() {
        // B = 3 with p = 0.5: int(6 * 0.5) = 3 crops masked; with p = 0 none, upperbound 0.
        MultiCropBatch three = new MultiCropCollator(MaskingConfig.dinov2Default(4), 28)
                .collate(taggedSamples(3, 1, 28, 12, 2), new SplittableRandom(4));
        assertThat(Arrays.stream(three.maskTargets()).filter(t -> t > 0).count()).isEqualTo(3);
        MultiCropBatch none = new MultiCropCollator(new MaskingConfig(0.0, new Interval(0.1, 0.5), 4), 28)
                .collate(taggedSamples(3, 1, 28, 12, 2), new SplittableRandom(4));
        assertThat(none.nMaskedPatches()).isZero();
        assertThat(none.upperbound()).isZero();
        assertThat(none.masksWeight()).isEmpty();
    }

    @Test
    void linspaceMatchesEvenSpacing() {
        float[] probs = MultiCropCollator.linspaceFloat32(0.1f, 0.5f, 9);
        for (int i = 0; i < 9; i++) {
            // float32 values of 0.1 + 0.05 i
            assertThat(probs[i]).isCloseTo((float) (0.1 + 0.05 * i), org.assertj.core.api.Assertions.within(1e-7f));
        }
        assertThat(probs[8]).isEqualTo(0.5f);
        assertThat(MultiCropCollator.linspaceFloat32(0.1f, 0.5f, 1)).containsExactly(0.1f);
    }

    @Test
    void rejectsCropSizesThatThePatchSizeDoesNotDivide() {
        assertThatThrownBy(() -> new MultiCropCollator(MaskingConfig.dinov2Default(14), 96))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a multiple of patch size 14");
        MultiCropCollator collator = new MultiCropCollator(MaskingConfig.dinov2Default(4), 16);
        List<MultiCropSample> mixed = new ArrayList<>(taggedSamples(1, 3, 16, 8, 2));
        mixed.addAll(taggedSamples(1, 3, 16, 8, 3));
        assertThatThrownBy(() -> collator.collate(mixed, new SplittableRandom(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("differ in shape");
    }
}
