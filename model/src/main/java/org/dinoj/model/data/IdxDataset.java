package org.dinoj.model.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MNIST-style dataset ({@code idx:DIR}): {@code train-images-idx3-ubyte} with optional
 * {@code train-labels-idx1-ubyte} for the train split, {@code t10k-*} for the test split, each raw
 * or gzipped ({@code .gz}); the variant names with a dot ({@code train-images.idx3-ubyte}) are
 * accepted too. Both files are held in memory as bytes (47 MB for 60k 28x28 images) and an image is
 * decoded to floats when asked for, so opening is one read and decoding is thread-safe.
 */
public final class IdxDataset implements Dataset {
    private static final Logger LOG = LoggerFactory.getLogger(IdxDataset.class);
    /** value / 255 for every byte value, so decoding is one table look-up per pixel. */
    private static final float[] UNIT = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            UNIT[v] = v / 255f;
        }
    }

    private final String spec;
    private final IdxFile images;
    private final byte[] labels; // one label per image, or null when unlabelled
    private final int height;
    private final int width;
    private final int numClasses;

    private IdxDataset(String spec, IdxFile images, IdxFile labelFile) {
        this.spec = spec;
        this.images = images;
        if (images.dims().length != 3) {
            throw new DatasetException("IDX image file " + images.path() + " has " + images.dims().length
                    + " dimensions, expected 3 ([N, H, W]): give an idx3 image file");
        }
        this.height = images.dims()[1];
        this.width = images.dims()[2];
        if (images.count() == 0 || height == 0 || width == 0) {
            throw new DatasetException("IDX image file " + images.path() + " holds no images: check the idx: directory");
        }
        if (labelFile == null) {
            labels = null;
            numClasses = 0;
            return;
        }
        if (labelFile.dims().length != 1 || labelFile.count() != images.count()) {
            throw new DatasetException("IDX label file " + labelFile.path() + " has shape "
                    + java.util.Arrays.toString(labelFile.dims()) + " but " + images.path() + " holds "
                    + images.count() + " images: the two files do not belong together");
        }
        labels = new byte[images.count()];
        System.arraycopy(labelFile.bytes(), labelFile.dataOffset(), labels, 0, labels.length);
        int max = 0;
        for (byte l : labels) {
            max = Math.max(max, l & 0xFF);
        }
        numClasses = max + 1;
    }

    /** Opens the given split of an IDX directory. */
    public static IdxDataset open(Path dir, Split split, String spec) {
        if (!Files.isDirectory(dir)) {
            throw new DatasetException("dataset directory " + dir + " for '" + spec + "' does not exist: check the path");
        }
        String prefix = split == Split.TRAIN ? "train" : "t10k";
        Path imageFile = find(dir, prefix + "-images", "idx3-ubyte");
        if (imageFile == null) {
            throw new DatasetException("no " + split.name().toLowerCase(java.util.Locale.ROOT) + " images in " + dir
                    + " for '" + spec + "': expected " + prefix + "-images-idx3-ubyte or " + prefix
                    + "-images-idx3-ubyte.gz there");
        }
        Path labelFile = find(dir, prefix + "-labels", "idx1-ubyte");
        if (labelFile == null) {
            LOG.info("{}: no {}-labels-idx1-ubyte file beside {}, the images are unlabelled", spec, prefix, imageFile);
        }
        IdxDataset dataset = new IdxDataset(spec + " (" + split.name().toLowerCase(java.util.Locale.ROOT) + ")",
                IdxFile.read(imageFile), labelFile == null ? null : IdxFile.read(labelFile));
        LOG.info("opened {}", dataset.describe());
        return dataset;
    }

    private static Path find(Path dir, String stem, String kind) {
        List<String> names = new ArrayList<>();
        for (String separator : new String[] {"-", "."}) {
            names.add(stem + separator + kind);
            names.add(stem + separator + kind + ".gz");
        }
        for (String name : names) {
            Path candidate = dir.resolve(name);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    @Override
    public int size() {
        return images.count();
    }

    /** Image {@code index} as one channel {@code [1, H, W]} in [0, 1]. */
    @Override
    public Image image(int index) {
        java.util.Objects.checkIndex(index, size());
        int plane = height * width;
        float[] pixels = new float[plane];
        byte[] bytes = images.bytes();
        int from = images.dataOffset() + index * plane;
        for (int i = 0; i < plane; i++) {
            pixels[i] = UNIT[bytes[from + i] & 0xFF];
        }
        return new Image(1, height, width, pixels);
    }

    @Override
    public int label(int index) {
        return labels == null ? -1 : labels[index] & 0xFF;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public String describe() {
        return spec + ": " + size() + " images of 1x" + height + "x" + width
                + (labels == null ? ", unlabelled" : ", " + numClasses + " classes");
    }

    @Override
    public String source(int index) {
        return images.path() + " image " + index;
    }
}
