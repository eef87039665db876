package org.dinoj.model.data.augment;

/**
 * Multi-crop geometry, field for field the dinov2 {@code crops.*} keys. Crop sizes are square
 * output sides in pixels; scales are fractions of the source image area, as in torchvision's
 * RandomResizedCrop. The same record drives 28 px and 224 px data.
 *
 * @param globalCropsScale {@code crops.global_crops_scale}
 * @param localCropsNumber {@code crops.local_crops_number} (L; may be 0)
 * @param localCropsScale {@code crops.local_crops_scale}
 * @param globalCropsSize {@code crops.global_crops_size}
 * @param localCropsSize {@code crops.local_crops_size}
 */
public record CropsConfig(
        Interval globalCropsScale, int localCropsNumber, Interval localCropsScale, int globalCropsSize, int localCropsSize) {

    public CropsConfig {
        checkScale("crops.global_crops_scale", globalCropsScale);
        checkScale("crops.local_crops_scale", localCropsScale);
        if (localCropsNumber < 0) {
            throw new IllegalArgumentException("crops.local_crops_number is " + localCropsNumber + "; it must be 0 or more");
        }
        if (globalCropsSize <= 0 || localCropsSize <= 0) {
            throw new IllegalArgumentException("crops.global_crops_size " + globalCropsSize + " and crops.local_crops_size "
                    + localCropsSize + " must both be positive");
        }
    }

    /** dinov2 {@code ssl_default_config.yaml}: (0.32, 1), 8 locals, (0.05, 0.32), 224, 96. */
    public static CropsConfig dinov2Default() {
        return new CropsConfig(new Interval(0.32, 1.0), 8, new Interval(0.05, 0.32), 224, 96);
    }

    private static void checkScale(String key, Interval scale) {
        if (scale.min() <= 0 || scale.max() > 1) {
            throw new IllegalArgumentException(key + " is [" + scale.min() + ", " + scale.max()
                    + "]; it must lie in (0, 1] because it is a fraction of the image area");
        }
    }
}
