package org.dinoj.model.data.augment;

/**
 * Everything that varies between runs of the DINOv2 multi-crop augmentation. The per-op constants
 * (jitter strengths, blur kernel, solarize threshold, ...) are dinov2's fixed values and live with
 * their ops.
 *
 * @param crops crop geometry ({@code crops.*})
 * @param blur which blur probabilities to use (see {@link BlurProbabilities} for the dinov2 bug)
 * @param normalization per-channel mean and std; images are converted to its channel count ({@link ChannelConversion})
 * @param colorJitterProbability chance that a crop gets the colour jitter (dinov2: 0.8)
 * @param solarizeProbability chance that global crop 2 is solarized (dinov2: 0.2)
 */
public record AugmentationConfig(CropsConfig crops, BlurProbabilities blur, Normalization normalization,
                                 double colorJitterProbability, double solarizeProbability) {
    public static final double DINOV2_COLOR_JITTER_PROBABILITY = 0.8;
    public static final double DINOV2_SOLARIZE_PROBABILITY = 0.2;

    public AugmentationConfig {
        if (crops == null || blur == null || normalization == null) {
            throw new IllegalArgumentException("augmentation config needs crops, blur probabilities and normalisation; one is missing");
        }
        requireProbability("the colour jitter probability", colorJitterProbability);
        requireProbability("the solarize probability", solarizeProbability);
    }

    /** With dinov2's colour jitter and solarize probabilities. */
    public AugmentationConfig(CropsConfig crops, BlurProbabilities blur, Normalization normalization) {
        this(crops, blur, normalization, DINOV2_COLOR_JITTER_PROBABILITY, DINOV2_SOLARIZE_PROBABILITY);
    }

    /** Refuses a probability outside [0, 1] (NaN too), naming it as {@code what}. */
    public static void requireProbability(String what, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(what + " is " + p + "; it must lie in [0, 1]");
        }
    }

    /** dinov2 defaults on RGB data: 224/96 px, 8 locals, effective blur probabilities, ImageNet stats. */
    public static AugmentationConfig dinov2Rgb() {
        return new AugmentationConfig(CropsConfig.dinov2Default(), BlurProbabilities.DINOV2_EFFECTIVE, Normalization.imagenetRgb());
    }

    /** This config with other crop geometry. */
    public AugmentationConfig withCrops(CropsConfig newCrops) {
        return new AugmentationConfig(newCrops, blur, normalization, colorJitterProbability, solarizeProbability);
    }
}
