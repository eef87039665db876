package org.dinoj.model.data.augment;

/** The three crop pipelines of dinov2's {@code DataAugmentationDINO}. */
public enum CropKind {
    /** Global crop 1: jitter, grayscale, blur (p from {@link BlurProbabilities#globalCrop1()}). */
    GLOBAL_1,
    /** Global crop 2: jitter, grayscale, blur (p from {@link BlurProbabilities#globalCrop2()}), solarize 0.2. */
    GLOBAL_2,
    /** Each local crop: jitter, grayscale, blur (p from {@link BlurProbabilities#localCrop()}). */
    LOCAL
}
