package org.dinoj.model.data.augment;

/**
 * Everything that varies between runs of the DINOv2 multi-crop augmentation. The per-op constants
 * (jitter strengths, blur kernel, solarize threshold, ...) are dinov2's fixed values and live with
 * their ops.
 *
 * @param crops crop geometry ({@code crops.*})
 * @param blur which blur probabilities to use (see {@link BlurProbabilities} for the dinov2 bug)
 * @param normalization per-channel mean and std; images are converted to its channel count ({@link ChannelConversion})
 */
public record AugmentationConfig(CropsConfig crops, BlurProbabilities blur, Normalization normalization) {

    public AugmentationConfig {
        if (crops == null || blur == null || normalization == null) {
            throw new IllegalArgumentException("augmentation config needs crops, blur probabilities and normalisation; one is missing");
        }
    }

    /** dinov2 defaults on RGB data: 224/96 px, 8 locals, effective blur probabilities, ImageNet stats. */
    public static AugmentationConfig dinov2Rgb() {
        return new AugmentationConfig(CropsConfig.dinov2Default(), BlurProbabilities.DINOV2_EFFECTIVE, Normalization.imagenetRgb());
    }

    /** This config with other crop geometry. */
    public AugmentationConfig withCrops(CropsConfig newCrops) {
        return new AugmentationConfig(newCrops, blur, normalization);
    }
}
