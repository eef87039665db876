package org.dinoj.model.eval;

import java.util.List;
import org.dinoj.model.data.Image;

/**
 * The baseline features: an image's pixels as they are ({@code [C, H, W]} in [0, 1], flattened to
 * D = C*H*W), no mean subtraction. The k-NN protocol L2-normalises them like any feature.
 */
public final class RawPixelFeatures implements FeatureExtractor {
    public static final String NAME = "raw-pixels";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int dimension(Image example) {
        return example.pixels().length;
    }

    @Override
    public void extract(List<Image> batch, float[] out, int offset) {
        int at = offset;
        int dim = -1;
        for (Image image : batch) {
            float[] pixels = image.pixels();
            if (dim < 0) {
                dim = pixels.length;
            } else if (pixels.length != dim) {
                throw new IllegalArgumentException("raw-pixel features need images of one size, got " + image.channels() + "x"
                        + image.height() + "x" + image.width() + " among images of " + dim + " pixels: resize them first");
            }
            System.arraycopy(pixels, 0, out, at, pixels.length);
            at += pixels.length;
        }
    }
}
