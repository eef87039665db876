package org.dinoj.model.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dinoj.model.data.BadImageTracker;
import org.dinoj.model.data.DamagedImageException;
import org.dinoj.model.data.DamagedImagesException;
import org.dinoj.model.data.Dataset;
import org.dinoj.model.data.Image;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a {@link FeatureExtractor} over a whole dataset, in order, batch by batch. */
public final class FeatureExtraction {
    private static final Logger LOG = LoggerFactory.getLogger(FeatureExtraction.class);

    private FeatureExtraction() {}

    /**
     * Features {@code [N, D]} of every image of {@code dataset} (row i = image i) with its labels.
     * Unlike training, this does not skip unreadable images: one would shift every result.
     *
     * @throws UncheckedIOException naming the image that could not be read
     */
    public static LabeledFeatures extract(Dataset dataset, FeatureExtractor extractor, int batchSize) {
        return extract(dataset, extractor, batchSize, null);
    }

    /**
     * As {@link #extract(Dataset, FeatureExtractor, int)} for a k-NN bank, which training's rule
     * fits: a damaged image is left out (its row is gone, the rows keep their order) until more than
     * {@code maxBadFraction} of the dataset is damaged, when {@link DamagedImagesException} says so.
     * A file that cannot be read at all still stops it: it may be readable on a retry.
     */
    public static LabeledFeatures extractSkippingDamaged(Dataset dataset, FeatureExtractor extractor, int batchSize,
                                                         double maxBadFraction) {
        return extract(dataset, extractor, batchSize, new BadImageTracker(dataset, maxBadFraction));
    }

    private static LabeledFeatures extract(Dataset dataset, FeatureExtractor extractor, int batchSize,
                                           BadImageTracker damaged) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size " + batchSize + " must be positive");
        }
        int n = dataset.size();
        long start = System.nanoTime();
        FeatureMatrix features = null;
        int dim = 0;
        int[] labels = new int[n];
        int[] indices = new int[n];
        int rows = 0;
        List<Image> batch = new ArrayList<>(batchSize);
        for (int i = 0; i < n; i++) {
            Image image = read(dataset, i, damaged);
            if (image == null) {
                continue;
            }
            if (features == null) {
                dim = extractor.dimension(image);
                features = FeatureMatrix.zeros(n, dim);
            }
            batch.add(image);
            indices[rows] = i;
            labels[rows++] = dataset.label(i);
            if (batch.size() == batchSize) {
                extractor.extract(batch, features.values(), (rows - batch.size()) * dim);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            extractor.extract(batch, features.values(), (rows - batch.size()) * dim);
        }
        if (features == null) {
            // Only reachable with data.max_bad_fraction 1 (an empty dataset is refused when it is opened).
            throw new DamagedImagesException("none of the " + n + " images of " + dataset.name() + " could be decoded:"
                    + " fix or remove these files");
        }
        if (rows < n) {
            LOG.warn("{} of the {} images of {} are damaged and left out of its features", n - rows, n, dataset.name());
            features = new FeatureMatrix(rows, dim, Arrays.copyOf(features.values(), rows * dim));
            labels = Arrays.copyOf(labels, rows);
        }
        LOG.info("{} features [{}, {}] of {} in {} ms", extractor.name(), rows, dim, dataset.describe(),
                (System.nanoTime() - start) / 1_000_000);
        return new LabeledFeatures(features, labels, dataset.numClasses(), rows < n ? Arrays.copyOf(indices, rows) : null);
    }

    /** The image, or null when it is damaged and {@code damaged} allows leaving it out. */
    private static Image read(Dataset dataset, int index, BadImageTracker damaged) {
        try {
            return dataset.image(index);
        } catch (DamagedImageException e) {
            if (damaged != null) {
                damaged.record(index, e);
                return null;
            }
            // Final: a retry of the evaluation would meet the same file.
            throw new DamagedImagesException("evaluation image " + dataset.source(index) + " is damaged (" + e.getMessage()
                    + "): fix or remove the file");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dataset.source(index) + " for evaluation: " + e.getMessage()
                    + "; fix or remove the file", e);
        }
    }
}
