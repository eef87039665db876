package org.dinoj.model.data;

import java.util.Arrays;

/**
 * Per-channel mean and standard deviation used to normalise pixels in [0, 1]:
 * {@code x' = (x - mean[c]) / std[c]}.
 */
public final class Normalization {
    /** ImageNet statistics (RGB), as used by DINOv2 and torchvision. */
    public static final Normalization IMAGENET =
            new Normalization(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

    /**
     * Fashion-MNIST train statistics (one channel): mean and population standard deviation over all
     * 60000 x 28 x 28 pixels of train-images-idx3-ubyte as byte/255, computed in double precision
     * over a byte histogram of the Debian dataset-fashion-mnist file (mean 0.28604060, std
     * 0.35302424); {@link ImageStatistics#compute(Dataset)} reproduces them (see its test).
     */
    public static final Normalization FASHION_MNIST = new Normalization(new float[] {0.28604060f}, new float[] {0.35302424f});

    private final float[] mean;
    private final float[] std;
    private final float[] invStd;

    public Normalization(float[] mean, float[] std) {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("normalisation needs one mean and one std per channel, got "
                    + mean.length + " means and " + std.length + " stds");
        }
        this.mean = mean.clone();
        this.std = std.clone();
        this.invStd = new float[std.length];
        for (int c = 0; c < std.length; c++) {
            if (!(std[c] > 0)) {
                throw new IllegalArgumentException("std of channel " + c + " is " + std[c] + ", it must be positive");
            }
            invStd[c] = 1f / std[c];
        }
    }

    public int channels() {
        return mean.length;
    }

    public float mean(int channel) {
        return mean[channel];
    }

    public float std(int channel) {
        return std[channel];
    }

    /**
     * Normalises one image in place.
     *
     * @param chw pixels laid out {@code [C, H, W]} starting at {@code offset}, C = {@link #channels()}
     * @param planeSize H * W
     */
    public void applyInPlace(float[] chw, int offset, int planeSize) {
        for (int c = 0; c < mean.length; c++) {
            float m = mean[c];
            float s = invStd[c];
            int from = offset + c * planeSize;
            for (int i = from; i < from + planeSize; i++) {
                chw[i] = (chw[i] - m) * s;
            }
        }
    }

    @Override
    public String toString() {
        return "mean " + Arrays.toString(mean) + " std " + Arrays.toString(std);
    }
}
