package org.dinoj.model.data.augment;

/**
 * What the augmentation drew for one crop, for tests and debugging (never built unless a trace
 * listener is installed).
 *
 * @param kind which pipeline made the crop
 * @param index 0 or 1 for global crops, 0..L-1 for local crops
 * @param box the source rectangle before resizing
 * @param flipped whether the crop was mirrored left-right
 * @param jitter the colour-jitter draw, or null when the jitter was skipped
 * @param grayscale whether the crop was turned to grayscale
 * @param blurSigma the blur's sigma in pixels, or NaN when not blurred
 * @param solarized whether the crop was solarised
 */
public record AppliedAugmentation(
        CropKind kind, int index, CropBox box, boolean flipped, ColorJitter.Params jitter, boolean grayscale,
        double blurSigma, boolean solarized) {

    public boolean blurred() {
        return !Double.isNaN(blurSigma);
    }
}
