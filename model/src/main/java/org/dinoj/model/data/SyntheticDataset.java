package org.dinoj.model.data;

import java.util.SplittableRandom;

/**
 * Generated images with known classes ({@code synthetic:N[:HxW[xC]][:K]}, default 28x28x1 and
 * 10 classes), for tests and smoke runs. Image {@code i} has label {@code i mod K} and shows a
 * sinusoidal grating whose orientation and frequency depend on the class, with random phase,
 * contrast and brightness plus pixel noise; colour images also get a class-dependent tint. The
 * content depends only on (split, index), so it is the same on every call and every machine; train
 * and test draw different images of the same classes.
 */
public final class SyntheticDataset implements Dataset {
    private final String spec;
    private final int size;
    private final int channels;
    private final int height;
    private final int width;
    private final int classes;
    private final long splitSalt;

    public SyntheticDataset(String spec, int size, int channels, int height, int width, int classes, Split split) {
        if (size <= 0) {
            throw new DatasetSpecException("synthetic dataset '" + spec + "' has " + size + " images: give a positive count, e.g. synthetic:1000");
        }
        if (channels <= 0 || height <= 0 || width <= 0 || classes <= 0) {
            throw new DatasetSpecException("synthetic dataset '" + spec + "' needs a positive size and class count, got "
                    + height + "x" + width + "x" + channels + " with " + classes + " classes");
        }
        this.spec = spec;
        this.size = size;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.classes = classes;
        this.splitSalt = split.ordinal();
    }

    @Override
    public int size() {
        return size;
    }

    /** Image {@code index} as {@code [C, H, W]} in [0, 1]. */
    @Override
    public Image image(int index) {
        java.util.Objects.checkIndex(index, size);
        SplittableRandom rng = new SplittableRandom(SeedMixer.mix(SeedMixer.SYNTHETIC, splitSalt, index));
        int k = label(index);
        double angle = Math.PI * k / classes;
        double cycles = 2 + (k % 3); // across the shorter side
        double freq = 2 * Math.PI * cycles / Math.min(height, width);
        double fx = freq * Math.cos(angle);
        double fy = freq * Math.sin(angle);
        double phase = rng.nextDouble(2 * Math.PI);
        double contrast = rng.nextDouble(0.25, 0.45);
        double brightness = rng.nextDouble(0.4, 0.6);
        float[] pixels = new float[channels * height * width];
        for (int c = 0; c < channels; c++) {
            // Colour images: each class tints the channels differently; grey images use tint 1.
            double tint = channels == 1 ? 1 : 0.5 + 0.5 * ((k + c) % 3) / 2.0;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double v = brightness + tint * contrast * Math.cos(fx * x + fy * y + phase) + 0.05 * rng.nextGaussian();
                    pixels[(c * height + y) * width + x] = (float) Math.clamp(v, 0.0, 1.0);
                }
            }
        }
        return new Image(channels, height, width, pixels);
    }

    @Override
    public int label(int index) {
        return index % classes;
    }

    @Override
    public int numClasses() {
        return classes;
    }

    @Override
    public String describe() {
        return spec + ": " + size + " synthetic images of " + channels + "x" + height + "x" + width + ", " + classes + " classes";
    }
}
