package org.dinoj.model.data.augment;

/**
 * One image's DINOv2 views, normalised: 2 global crops [C, G, G] and L local crops [C, S, S], each a
 * channel-major float array. Crop 0 is dinov2's {@code global_crops[0]} (blur pipeline 1), crop 1
 * its {@code global_crops[1]} (blur pipeline 2 + solarize); the teacher sees the same two arrays.
 */
public record MultiCropSample(int channels, int globalCropsSize, int localCropsSize, float[][] globalCrops, float[][] localCrops) {

    public MultiCropSample {
        if (globalCrops.length != 2) {
            throw new IllegalArgumentException("a multi-crop sample has 2 global crops, not " + globalCrops.length);
        }
        for (float[] crop : globalCrops) {
            if (crop.length != channels * globalCropsSize * globalCropsSize) {
                throw new IllegalArgumentException("global crop of " + crop.length + " floats is not " + channels + "x"
                        + globalCropsSize + "x" + globalCropsSize);
            }
        }
        for (float[] crop : localCrops) {
            if (crop.length != channels * localCropsSize * localCropsSize) {
                throw new IllegalArgumentException("local crop of " + crop.length + " floats is not " + channels + "x"
                        + localCropsSize + "x" + localCropsSize);
            }
        }
    }

    public int localCropsNumber() {
        return localCrops.length;
    }
}
