package org.dinoj.model.data.augment;

import org.dinoj.model.data.Image;

/**
 * Brings a decoded image to the model's channel count, as torchvision's {@code ImageFolder}
 * does with PIL's {@code convert("RGB")}: a folder of photos nearly always holds a few grayscale
 * files, and a folder of scans a few colour ones, and neither should stop a job. Grayscale to RGB
 * repeats the plane; RGB to grayscale is PIL's "L" conversion (ITU-R 601 luma, as
 * {@link Grayscale}).
 */
public final class ChannelConversion {
    private ChannelConversion() {}

    /**
     * {@code image} with {@code channels} channels (1 or 3); the same instance when it already has them.
     *
     * @throws IllegalArgumentException for any other pair of channel counts
     */
    public static Image toChannels(Image image, int channels) {
        int from = image.channels();
        if (from == channels) {
            return image;
        }
        int plane = image.height() * image.width();
        float[] src = image.pixels();
        if (from == 1 && channels == 3) {
            float[] rgb = new float[3 * plane];
            for (int c = 0; c < 3; c++) {
                System.arraycopy(src, 0, rgb, c * plane, plane);
            }
            return new Image(3, image.height(), image.width(), rgb);
        }
        if (from == 3 && channels == 1) {
            float[] gray = new float[plane];
            for (int i = 0; i < plane; i++) {
                gray[i] = Grayscale.luma(src[i], src[plane + i], src[2 * plane + i]);
            }
            return new Image(1, image.height(), image.width(), gray);
        }
        throw new IllegalArgumentException("a " + from + "-channel image cannot be given to a model of " + channels
                + " channel(s) (student.in_chans): only grayscale and RGB images convert to each other");
    }
}
