package org.dinoj.model.data;

import java.awt.image.Raster;
import java.io.IOException;
import java.util.Arrays;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * CMYK images to RGB as Pillow converts them, so that the pixels are those PyTorch's loaders see:
 * four-channel (CMYK and YCCK) JPEGs, and CMYK ("separated") TIFFs. ImageIO would convert them
 * through a CMYK colour profile: up to 74 levels brighter than Pillow's plain {@code (1 - C)(1 - K)}.
 *
 * <p>Pillow reads every CMYK JPEG as Adobe's inverted samples ({@code CMYK;I}), after libjpeg has
 * turned YCCK (Adobe transform 2) into CMYK with its fixed-point YCbCr formulas; its {@code cmyk2rgb}
 * then gives {@code R = (255 - K) - (C * (255 - K)) / 255} in integers. The raster ImageIO hands over
 * holds the stored samples, before either step.
 */
final class CmykToRgb {
    private static final String FORMAT = "javax_imageio_jpeg_image_1.0";
    private static final int SCALE_BITS = 16;
    private static final int ONE_HALF = 1 << (SCALE_BITS - 1);
    private static final int CR_R = fix(1.40200);
    private static final int CB_B = fix(1.77200);
    private static final int CR_G = fix(0.71414);
    private static final int CB_G = fix(0.34414);

    private CmykToRgb() {
    }

    /** The Adobe transform of a four-channel JPEG (0 CMYK, else YCCK; 0 without the marker), or -1 for any other image. */
    static int adobeTransform(ImageReader reader) throws IOException {
        // ImageIO has no raw type for four-channel JPEGs only: the others skip the metadata.
        if (!"jpeg".equalsIgnoreCase(reader.getFormatName()) || reader.getRawImageType(0) != null) {
            return -1;
        }
        IIOMetadata metadata = reader.getImageMetadata(0);
        if (metadata == null || !Arrays.asList(metadata.getMetadataFormatNames()).contains(FORMAT)) {
            return -1;
        }
        Element root = (Element) metadata.getAsTree(FORMAT);
        NodeList frames = root.getElementsByTagName("sof");
        if (frames.getLength() == 0 || ((Element) frames.item(0)).getElementsByTagName("componentSpec").getLength() != 4) {
            return -1;
        }
        NodeList adobe = root.getElementsByTagName("app14Adobe");
        return adobe.getLength() == 0 ? 0 : Integer.parseInt(((Element) adobe.item(0)).getAttribute("transform"));
    }

    /** The stored samples of a four-channel JPEG as [3, H, W] RGB in [0, 1]. */
    static Image toRgb(Raster stored, int adobeTransform) {
        int w = stored.getWidth();
        int h = stored.getHeight();
        int plane = w * h;
        int[] samples = stored.getPixels(stored.getMinX(), stored.getMinY(), w, h, (int[]) null);
        float[] pixels = new float[3 * plane];
        int[] cmy = new int[3];
        for (int i = 0; i < plane; i++) {
            int s0 = samples[4 * i];
            int s1 = samples[4 * i + 1];
            int s2 = samples[4 * i + 2];
            if (adobeTransform != 0) {
                // libjpeg takes any transform but 0 on four channels as YCCK; its YCCK to CMYK gives 255 - R
                // (and so on), which Pillow's inversion takes back to R.
                yccToRgb(s0, s1, s2, cmy);
            } else {
                cmy[0] = 255 - s0;
                cmy[1] = 255 - s1;
                cmy[2] = 255 - s2;
            }
            int notBlack = samples[4 * i + 3]; // 255 - K after Pillow's inversion of the stored K
            for (int c = 0; c < 3; c++) {
                pixels[c * plane + i] = (notBlack - mulDiv255(cmy[c], notBlack)) / 255f;
            }
        }
        return new Image(3, h, w, pixels);
    }

    /** The plain (not inverted) CMYK samples of a TIFF, 8 bits each, as [3, H, W] RGB in [0, 1], by Pillow's {@code cmyk2rgb}. */
    static Image plainToRgb(Raster stored) {
        int w = stored.getWidth();
        int h = stored.getHeight();
        int plane = w * h;
        float[] pixels = new float[3 * plane];
        int[][] bands = new int[4][];
        for (int b = 0; b < 4; b++) {
            bands[b] = stored.getSamples(stored.getMinX(), stored.getMinY(), w, h, b, (int[]) null);
        }
        for (int i = 0; i < plane; i++) {
            int notBlack = 255 - bands[3][i];
            for (int c = 0; c < 3; c++) {
                pixels[c * plane + i] = (notBlack - mulDiv255(bands[c][i], notBlack)) / 255f;
            }
        }
        return new Image(3, h, w, pixels);
    }

    /** libjpeg's {@code ycc_rgb_convert} in its fixed point, clamped to 0..255. */
    static void yccToRgb(int y, int cb, int cr, int[] rgb) {
        int dcb = cb - 128;
        int dcr = cr - 128;
        rgb[0] = clamp(y + ((CR_R * dcr + ONE_HALF) >> SCALE_BITS));
        rgb[1] = clamp(y + ((-CB_G * dcb - CR_G * dcr + ONE_HALF) >> SCALE_BITS));
        rgb[2] = clamp(y + ((CB_B * dcb + ONE_HALF) >> SCALE_BITS));
    }

    /** Pillow's {@code MULDIV255}: a * b / 255, rounded, in integers. */
    private static int mulDiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    private static int fix(double x) {
        return (int) (x * (1 << SCALE_BITS) + 0.5);
    }
}
