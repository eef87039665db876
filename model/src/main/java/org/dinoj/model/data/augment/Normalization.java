package org.dinoj.model.data.augment;

import java.util.Arrays;

/**
 * Per-channel {@code (x - mean[c]) / std[c]} applied to crops in [0, 1], as torchvision's
 * {@code Normalize} after {@code ToTensor}. RGB data uses the ImageNet statistics dinov2 uses;
 * grayscale data passes its own single mean and std.
 */
public record Normalization(float[] mean, float[] std) {

    public Normalization {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("normalisation has " + mean.length + " means and " + std.length
                    + " stds; give one of each per image channel");
        }
        for (float s : std) {
            if (!(s > 0) || !Float.isFinite(s)) {
                throw new IllegalArgumentException("normalisation std " + Arrays.toString(std) + " must be positive and finite");
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** ImageNet mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225), dinov2's default. */
    public static Normalization imagenetRgb() {
        return new Normalization(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
    }

    /**
     * Fashion-MNIST's train statistics: mean and population standard deviation over all
     * 60000 x 28 x 28 pixels of train-images-idx3-ubyte as byte/255, computed in double precision
     * over a byte histogram of the Debian dataset-fashion-mnist file (mean 0.28604060, std
     * 0.35302424); {@link org.dinoj.model.data.ImageStatistics#compute} reproduces them (see its test).
     */
    public static Normalization fashionMnist() {
        return grayscale(0.28604060f, 0.35302424f);
    }

    /** One-channel statistics for grayscale data (e.g. the dataset's pixel mean and std). */
    public static Normalization grayscale(float mean, float std) {
        return new Normalization(new float[] {mean}, new float[] {std});
    }

    public int channels() {
        return mean.length;
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /**
     * Normalises one image in place, dividing by the std as torchvision does (not multiplying by
     * its inverse), so crops match PyTorch's bit for bit.
     *
     * @param chw pixels laid out {@code [C, H, W]} from {@code offset}, C = {@link #channels()}
     * @param plane H * W
     */
    public void applyInPlace(float[] chw, int offset, int plane) {
        for (int c = 0; c < mean.length; c++) {
            float m = mean[c];
            float s = std[c];
            int base = offset + c * plane;
            for (int i = base; i < base + plane; i++) {
                chw[i] = (chw[i] - m) / s;
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
