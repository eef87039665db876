package org.dinoj.model.eval;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Writes CLS-to-patch attention of one image as colour-mapped PNGs: one per head and one of the
 * mean over heads. Each map is upsampled from the patch grid to the image size, scaled to [0, 1]
 * by its own minimum and maximum (a constant map is all 0), and coloured with {@link Viridis}.
 */
public final class AttentionMapWriter {
    /** How a patch-grid map becomes an image-sized one. */
    public enum Upsampling {
        /** Each patch becomes a block of pixels (as DINO's visualize_attention). */
        NEAREST,
        /** Bilinear between patch centres (half-pixel centres, edges clamped, as align_corners=False). */
        BILINEAR
    }

    private AttentionMapWriter() {}

    /**
     * @param attention {@code [heads, gridH * gridW]} row-major: head h's attention from the CLS
     *     token to patch (y, x) at {@code attention[h * gridH * gridW + y * gridW + x]}
     * @return the files written: {@code PREFIX-head0.png} ... then {@code PREFIX-mean.png}
     */
    public static List<Path> write(float[] attention, int heads, int gridH, int gridW, int imageH, int imageW,
                                   Upsampling upsampling, Path dir, String prefix) throws IOException {
        int patches = gridH * gridW;
        if (heads <= 0 || gridH <= 0 || gridW <= 0 || imageH <= 0 || imageW <= 0) {
            throw new IllegalArgumentException("attention maps need positive heads, grid and image sizes, got " + heads + " heads, grid "
                    + gridH + "x" + gridW + ", image " + imageH + "x" + imageW);
        }
        if (attention.length != heads * patches) {
            throw new IllegalArgumentException(attention.length + " attention weights do not fill [" + heads + ", " + gridH + " * "
                    + gridW + "]");
        }
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        float[] mean = new float[patches];
        for (int h = 0; h < heads; h++) {
            for (int p = 0; p < patches; p++) {
                mean[p] += attention[h * patches + p] / heads;
            }
            float[] map = upsample(attention, h * patches, gridH, gridW, imageH, imageW, upsampling);
            files.add(writePng(map, imageH, imageW, dir.resolve(prefix + "-head" + h + ".png")));
        }
        float[] meanMap = upsample(mean, 0, gridH, gridW, imageH, imageW, upsampling);
        files.add(writePng(meanMap, imageH, imageW, dir.resolve(prefix + "-mean.png")));
        return files;
    }

    /**
     * Upsamples the grid map at {@code grid[offset ..]} ({@code [gridH, gridW]}) to {@code [imageH, imageW]}.
     */
    public static float[] upsample(float[] grid, int offset, int gridH, int gridW, int imageH, int imageW, Upsampling mode) {
        float[] out = new float[imageH * imageW];
        double scaleY = (double) gridH / imageH;
        double scaleX = (double) gridW / imageW;
        for (int y = 0; y < imageH; y++) {
            for (int x = 0; x < imageW; x++) {
                float v;
                if (mode == Upsampling.NEAREST) {
                    int gy = Math.min(gridH - 1, (int) Math.floor(y * scaleY));
                    int gx = Math.min(gridW - 1, (int) Math.floor(x * scaleX));
                    v = grid[offset + gy * gridW + gx];
                } else {
                    // Source coordinate of the pixel centre, in grid cells with cell centres at integers.
                    double sy = Math.max(0, (y + 0.5) * scaleY - 0.5);
                    double sx = Math.max(0, (x + 0.5) * scaleX - 0.5);
                    int y0 = Math.min(gridH - 1, (int) sy);
                    int x0 = Math.min(gridW - 1, (int) sx);
                    int y1 = Math.min(gridH - 1, y0 + 1);
                    int x1 = Math.min(gridW - 1, x0 + 1);
                    double fy = Math.min(1, sy - y0);
                    double fx = Math.min(1, sx - x0);
                    double top = grid[offset + y0 * gridW + x0] * (1 - fx) + grid[offset + y0 * gridW + x1] * fx;
                    double bottom = grid[offset + y1 * gridW + x0] * (1 - fx) + grid[offset + y1 * gridW + x1] * fx;
                    v = (float) (top * (1 - fy) + bottom * fy);
                }
                out[y * imageW + x] = v;
            }
        }
        return out;
    }

    /**
     * Writes the crop the maps belong to ({@code [C, size, size]}, normalised) as a PNG of
     * {@code imageH x imageW}: nearest upsampling, scaled to [0, 255] by its own minimum and maximum
     * over all channels; grey for one channel, RGB for three.
     */
    public static Path writeCrop(float[] crop, int channels, int size, int imageH, int imageW, Path file) throws IOException {
        if ((channels != 1 && channels != 3) || crop.length != channels * size * size) {
            throw new IllegalArgumentException(crop.length + " values are not a 1- or 3-channel " + size + "x" + size + " crop");
        }
        if (imageH <= 0 || imageW <= 0) {
            throw new IllegalArgumentException("the crop's PNG needs a positive size, got " + imageH + "x" + imageW);
        }
        float[][] planes = new float[channels][];
        for (int c = 0; c < channels; c++) {
            planes[c] = upsample(crop, c * size * size, size, size, imageH, imageW, Upsampling.NEAREST);
        }
        float[] range = range(crop);
        BufferedImage image = new BufferedImage(imageW, imageH, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < imageH * imageW; i++) {
            int rgb = 0;
            for (int c = 0; c < 3; c++) {
                int level = (int) Math.round(scaled(planes[channels == 1 ? 0 : c][i], range) * 255);
                rgb = (rgb << 8) | level;
            }
            image.setRGB(i % imageW, i / imageW, rgb);
        }
        return save(image, file);
    }

    private static Path writePng(float[] map, int height, int width, Path file) throws IOException {
        for (float v : map) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("attention map for " + file + " holds a non-finite weight " + v);
            }
        }
        float[] range = range(map);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, Viridis.rgb(scaled(map[y * width + x], range)));
            }
        }
        return save(image, file);
    }

    /** {@code {min, max}} of the values. */
    private static float[] range(float[] values) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return new float[] {min, max};
    }

    /** {@code v} in [0, 1] of its range; 0 for a constant map. */
    private static double scaled(float v, float[] range) {
        double width = range[1] - range[0];
        return width > 0 ? (v - range[0]) / width : 0;
    }

    private static Path save(BufferedImage image, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer available in this JVM to write " + file);
        }
        return file;
    }
}
