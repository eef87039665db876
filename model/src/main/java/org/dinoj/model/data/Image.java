package org.dinoj.model.data;

/**
 * A decoded image: {@code channels} planes of {@code height x width} floats in [0, 1], stored
 * channel-major ({@code [C, H, W]}, row-major within a plane). A grayscale file decodes to one
 * channel; the transforms bring it to the model's channels ({@code ChannelConversion}).
 */
public record Image(int channels, int height, int width, float[] pixels) {
    public Image {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image size " + channels + "x" + height + "x" + width + " must be positive");
        }
        if (pixels.length != channels * height * width) {
            throw new IllegalArgumentException(pixels.length + " pixels for a " + channels + "x" + height + "x" + width
                    + " image");
        }
    }

    public float get(int channel, int y, int x) {
        return pixels[(channel * height + y) * width + x];
    }
}
