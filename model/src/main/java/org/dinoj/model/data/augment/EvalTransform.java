package org.dinoj.model.data.augment;

import org.dinoj.model.data.Image;

/**
 * dinov2's evaluation transform: {@code Resize(size / 0.875, bicubic)}, {@code CenterCrop(size)},
 * {@code Normalize(mean, std)}. An image whose shorter side already equals {@code size} (e.g.
 * Fashion-MNIST at its own 28 px) is only centre-cropped, so small datasets are not upscaled and
 * cut. An image is first brought to the normalisation's channel count ({@link ChannelConversion}). Not thread-safe (reuses its resampler); use one per thread.
 */
public final class EvalTransform {
    /** dinov2 resizes to 256 for a 224 crop. */
    static final double CROP_FRACTION = 224.0 / 256.0;

    private final int size;
    private final Normalization normalization;
    private final BicubicResampler resampler = new BicubicResampler();

    public EvalTransform(int size, Normalization normalization) {
        if (size < 1) {
            throw new IllegalArgumentException("evaluation crop size must be positive, got " + size);
        }
        this.size = size;
        this.normalization = normalization;
    }

    public int size() {
        return size;
    }

    /** The normalised centre crop {@code [C, size, size]} of {@code image}, written into {@code out} at {@code offset}. */
    public void apply(Image decoded, float[] out, int offset) {
        Image image = ChannelConversion.toChannels(decoded, normalization.channels());
        int shorter = Math.min(image.height(), image.width());
        // The region of the source that Resize + CenterCrop keeps, in source pixels.
        double scale = shorter == size ? 1.0 : (size / CROP_FRACTION) / shorter;
        int cropH = (int) Math.min(image.height(), Math.round(size / scale));
        int cropW = (int) Math.min(image.width(), Math.round(size / scale));
        CropBox box = new CropBox((image.height() - cropH) / 2, (image.width() - cropW) / 2, cropH, cropW);
        int plane = size * size;
        float[] crop = new float[image.channels() * plane];
        resampler.resizeCrop(image, box, size, size, false, crop);
        System.arraycopy(crop, 0, out, offset, crop.length);
        normalization.applyInPlace(out, offset, plane);
    }
}
