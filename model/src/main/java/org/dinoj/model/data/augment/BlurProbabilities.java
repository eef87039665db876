package org.dinoj.model.data.augment;

/**
 * Probability of applying the Gaussian blur to global crop 1, global crop 2 and each local crop.
 *
 * <p>dinov2's {@code transforms.GaussianBlur(p)} subclasses torchvision's {@code RandomApply} but
 * passes {@code 1 - p} to it, and RandomApply applies with the probability it is given. The
 * nominal 1.0 / 0.1 / 0.5 of {@code augmentations.py} therefore act as 0.0 / 0.9 / 0.5, and the
 * released dinov2 checkpoints were trained that way (dinov2 PR #411, dinov3 #286 / PR #342). Both
 * are offered so that a run picks one deliberately.
 */
public enum BlurProbabilities {
    /** What dinov2 actually does (the bug above): crop 1 never blurred, crop 2 blurred 90%. */
    DINOV2_EFFECTIVE(0.0, 0.9, 0.5),
    /** The intended probabilities, as DINO v1 and BYOL use them: 1.0 / 0.1 / 0.5. */
    DINO_V1(1.0, 0.1, 0.5),
    /**
     * No blur: dinov2's radii (0.1-2 px) are sized for 224 px crops; on 28 px images a 2 px blur
     * wipes out the texture that tells the classes apart.
     */
    NONE(0.0, 0.0, 0.0);

    private final double globalCrop1;
    private final double globalCrop2;
    private final double localCrop;

    BlurProbabilities(double globalCrop1, double globalCrop2, double localCrop) {
        this.globalCrop1 = globalCrop1;
        this.globalCrop2 = globalCrop2;
        this.localCrop = localCrop;
    }

    public double globalCrop1() {
        return globalCrop1;
    }

    public double globalCrop2() {
        return globalCrop2;
    }

    public double localCrop() {
        return localCrop;
    }
}
