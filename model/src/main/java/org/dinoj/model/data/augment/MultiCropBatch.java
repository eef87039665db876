package org.dinoj.model.data.augment;

/**
 * A collated DINOv2 batch of B images, the Java side of dinov2's {@code collate_data_and_cast}.
 * Crop order is dinov2's: global row {@code g * B + b} is global crop g of image b (all first
 * crops, then all second crops); local row {@code l * B + b} is local crop l of image b.
 *
 * @param batchSize B
 * @param channels C
 * @param globalCropsSize G
 * @param localCropsSize S
 * @param localCropsNumber L
 * @param globalCrops [2B, C, G, G] ({@code collated_global_crops})
 * @param localCrops [L*B, C, S, S] ({@code collated_local_crops})
 * @param patchesPerCrop N = (G / patch size)^2
 * @param masks [2B, N] row-major, true = masked ({@code collated_masks})
 * @param maskIndices flat indices into {@code masks} of the masked patches, ascending
 *     ({@code mask_indices_list}); its length is {@code n_masked_patches}
 * @param masksWeight per masked patch (same order as maskIndices), 1 / (masked patches of its crop)
 *     ({@code masks_weight})
 * @param maskTargets [2B] patches requested from the generator per crop, 0 for unmasked crops (not
 *     in dinov2's output; kept for checks and logs: a mask never exceeds its target)
 * @param upperbound sum over masked crops of {@code int(N * ratio_max_of_its_stratum)}: an upper
 *     bound of {@code maskIndices.length} that dinov2 uses as the row count of a zero-filled buffer
 *     the masked teacher/student patch tokens are copied into before the iBOT head, so the head
 *     sees a shape that changes less from step to step; only the first n_masked_patches rows are used
 */
public record MultiCropBatch(
        int batchSize, int channels, int globalCropsSize, int localCropsSize, int localCropsNumber,
        float[] globalCrops, float[] localCrops, int patchesPerCrop, boolean[] masks, int[] maskIndices,
        float[] masksWeight, int[] maskTargets, int upperbound) {

    /** dinov2's {@code n_masked_patches}. */
    public int nMaskedPatches() {
        return maskIndices.length;
    }

    /** 2B. */
    public int globalCropCount() {
        return 2 * batchSize;
    }
}
