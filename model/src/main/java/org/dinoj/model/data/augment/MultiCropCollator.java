package org.dinoj.model.data.augment;

import java.util.List;
import java.util.SplittableRandom;
import org.dinoj.model.data.BatchCollator;

/**
 * dinov2's {@code collate_data_and_cast}: stacks the crops of B samples in dinov2's order and draws
 * iBOT block masks for the 2B global crops:
 * <pre>
 *   n = int(2B * mask_sample_probability)
 *   probs = linspace(ratio_min, ratio_max, n + 1)                 (float32, as torch.linspace)
 *   for i in 0..n-1: mask_i = generator(int(N * U(probs[i], probs[i+1]))); upperbound += int(N * probs[i+1])
 *   for the other 2B - n crops: an empty mask
 *   shuffle the 2B masks over the crops                           (Python's random.shuffle)
 * </pre>
 * The shuffle's permutation (the same Fisher-Yates as Python's) is drawn before the masks rather
 * than after, so each mask is written straight into its crop's row; it is independent of the
 * masks, so the distribution is the same.
 */
public final class MultiCropCollator implements BatchCollator<MultiCropSample, MultiCropBatch> {
    private final MaskingConfig masking;
    private final int globalCropsSize;
    private final MaskingGenerator generator;

    /** For global crops of {@code globalCropsSize} pixels, which must be a multiple of the patch size. */
    public MultiCropCollator(MaskingConfig masking, int globalCropsSize) {
        if (globalCropsSize % masking.patchSize() != 0) {
            throw new IllegalArgumentException("global crop size " + globalCropsSize + " is not a multiple of patch size "
                    + masking.patchSize() + "; choose crops.global_crops_size divisible by student.patch_size");
        }
        this.masking = masking;
        this.globalCropsSize = globalCropsSize;
        this.generator = MaskingGenerator.forDinov2(globalCropsSize, masking.patchSize());
    }

    @Override
    public MultiCropBatch collate(List<MultiCropSample> samples, SplittableRandom rng) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("cannot collate an empty batch; the loader must pass at least one sample");
        }
        MultiCropSample first = samples.getFirst();
        if (first.globalCropsSize() != globalCropsSize) {
            throw new IllegalArgumentException("samples have " + first.globalCropsSize() + " px global crops but the collator was built for "
                    + globalCropsSize + " px; build it from the same crops config");
        }
        int batch = samples.size();
        int channels = first.channels();
        int localSize = first.localCropsSize();
        int localNumber = first.localCropsNumber();
        for (MultiCropSample s : samples) {
            if (s.channels() != channels || s.globalCropsSize() != globalCropsSize || s.localCropsSize() != localSize
                    || s.localCropsNumber() != localNumber) {
                throw new IllegalArgumentException("samples in one batch differ in shape (" + channels + " channels, "
                        + globalCropsSize + "/" + localSize + " px, " + localNumber + " locals vs " + s.channels() + ", "
                        + s.globalCropsSize() + "/" + s.localCropsSize() + ", " + s.localCropsNumber()
                        + "); use one augmentation config and one channel count per dataset");
            }
        }
        int globalPlane = channels * globalCropsSize * globalCropsSize;
        float[] global = new float[2 * batch * globalPlane];
        for (int g = 0; g < 2; g++) {
            for (int b = 0; b < batch; b++) {
                System.arraycopy(samples.get(b).globalCrops()[g], 0, global, (g * batch + b) * globalPlane, globalPlane);
            }
        }
        int localPlane = channels * localSize * localSize;
        float[] local = new float[localNumber * batch * localPlane];
        for (int l = 0; l < localNumber; l++) {
            for (int b = 0; b < batch; b++) {
                System.arraycopy(samples.get(b).localCrops()[l], 0, local, (l * batch + b) * localPlane, localPlane);
            }
        }
        return masks(batch, channels, localSize, localNumber, global, local, rng);
    }

    private MultiCropBatch masks(int batch, int channels, int localSize, int localNumber, float[] global, float[] local,
            SplittableRandom rng) {
        int crops = 2 * batch;
        int side = globalCropsSize / masking.patchSize();
        int patches = side * side;
        int masked = (int) (crops * masking.maskSampleProbability());
        float[] probs = linspaceFloat32((float) masking.maskRatioMinMax().min(), (float) masking.maskRatioMinMax().max(), masked + 1);

        // slotOf[i]: the crop that the i-th generated mask ends on after random.shuffle.
        int[] order = new int[crops];
        for (int i = 0; i < crops; i++) {
            order[i] = i;
        }
        for (int i = crops - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] slotOf = new int[crops];
        for (int k = 0; k < crops; k++) {
            slotOf[order[k]] = k;
        }

        boolean[] masks = new boolean[crops * patches];
        int[] targets = new int[crops];
        int[] counts = new int[crops];
        int upperbound = 0;
        float n = patches;
        for (int i = 0; i < masked; i++) {
            float lo = probs[i];
            float hi = probs[i + 1];
            // Python's random.uniform on float32 tensors: lo + (hi - lo) * U, all in float32.
            float ratio = lo + (hi - lo) * (float) rng.nextDouble();
            int target = (int) (n * ratio);
            int slot = slotOf[i];
            targets[slot] = target;
            counts[slot] = generator.generate(target, masks, slot * patches, rng);
            upperbound += (int) (n * hi);
        }

        int total = 0;
        for (int c : counts) {
            total += c;
        }
        int[] indices = new int[total];
        float[] weights = new float[total];
        int k = 0;
        for (int c = 0; c < crops; c++) {
            if (counts[c] == 0) {
                continue;
            }
            float w = 1f / counts[c];
            for (int p = c * patches; p < (c + 1) * patches; p++) {
                if (masks[p]) {
                    indices[k] = p;
                    weights[k] = w;
                    k++;
                }
            }
        }
        return new MultiCropBatch(batch, channels, globalCropsSize, localSize, localNumber, global, local, patches, masks,
                indices, weights, targets, upperbound);
    }

    /**
     * dinov2's {@code upperbound} for batches of {@code batchSize} images: the same for every batch
     * (it depends only on the stratum bounds), so a consumer can plan its masked-token buffers once.
     */
    public int maskedPatchUpperbound(int batchSize) {
        int side = globalCropsSize / masking.patchSize();
        int masked = (int) (2 * batchSize * masking.maskSampleProbability());
        float[] probs = linspaceFloat32((float) masking.maskRatioMinMax().min(), (float) masking.maskRatioMinMax().max(),
                masked + 1);
        float n = side * side;
        int upperbound = 0;
        for (int i = 0; i < masked; i++) {
            upperbound += (int) (n * probs[i + 1]);
        }
        return upperbound;
    }

    /** torch.linspace(start, end, steps) in float32 (CPU kernel: from both ends towards the middle). */
    static float[] linspaceFloat32(float start, float end, int steps) {
        float[] out = new float[steps];
        if (steps == 1) {
            out[0] = start;
            return out;
        }
        float step = (end - start) / (steps - 1);
        int halfway = steps / 2;
        for (int i = 0; i < steps; i++) {
            out[i] = i < halfway ? start + step * i : end - step * (steps - i - 1);
        }
        return out;
    }
}
