package org.dinoj.model.data.augment;

/**
 * iBOT masking, field for field the dinov2 keys it comes from.
 *
 * @param maskSampleProbability {@code ibot.mask_sample_probability}: the fraction of the 2B global
 *     crops that get a mask ({@code int(2B * p)} of them, exactly)
 * @param maskRatioMinMax {@code ibot.mask_ratio_min_max}: masked-patch ratios are stratified over it
 * @param patchSize {@code student.patch_size}: the mask grid is {@code global_crops_size / patch_size} per side
 */
public record MaskingConfig(double maskSampleProbability, Interval maskRatioMinMax, int patchSize) {

    public MaskingConfig {
        if (!(maskSampleProbability >= 0 && maskSampleProbability <= 1)) {
            throw new IllegalArgumentException("ibot.mask_sample_probability is " + maskSampleProbability + "; it must lie in [0, 1]");
        }
        if (maskRatioMinMax.min() < 0 || maskRatioMinMax.max() > 1) {
            throw new IllegalArgumentException("ibot.mask_ratio_min_max [" + maskRatioMinMax.min() + ", " + maskRatioMinMax.max()
                    + "] must lie in [0, 1]");
        }
        if (patchSize <= 0) {
            throw new IllegalArgumentException("student.patch_size is " + patchSize + "; it must be positive");
        }
    }

    /** dinov2 defaults (0.5, [0.1, 0.5]) with the given patch size. */
    public static MaskingConfig dinov2Default(int patchSize) {
        return new MaskingConfig(0.5, new Interval(0.1, 0.5), patchSize);
    }
}
