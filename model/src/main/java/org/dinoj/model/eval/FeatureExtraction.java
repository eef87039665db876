package org.dinoj.model.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
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
     * Unlike training, evaluation does not skip unreadable images: one would shift every result.
     *
     * @throws UncheckedIOException naming the image that could not be read
     */
    public static LabeledFeatures extract(Dataset dataset, FeatureExtractor extractor, int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size " + batchSize + " must be positive");
        }
        int n = dataset.size();
        long start = System.nanoTime();
        Image first = read(dataset, 0);
        int dim = extractor.dimension(first);
        FeatureMatrix features = FeatureMatrix.zeros(n, dim);
        int[] labels = new int[n];
        List<Image> batch = new ArrayList<>(batchSize);
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            batch.clear();
            for (int i = from; i < to; i++) {
                batch.add(i == 0 ? first : read(dataset, i));
                labels[i] = dataset.label(i);
            }
            extractor.extract(batch, features.values(), from * dim);
        }
        LOG.info("{} features [{}, {}] of {} in {} ms", extractor.name(), n, dim, dataset.describe(),
                (System.nanoTime() - start) / 1_000_000);
        return new LabeledFeatures(features, labels, dataset.numClasses());
    }

    private static Image read(Dataset dataset, int index) {
        try {
            return dataset.image(index);
        } catch (DamagedImageException e) {
            // Final: a retry of the evaluation would meet the same file.
            throw new DamagedImagesException("evaluation image " + dataset.source(index) + " is damaged (" + e.getMessage()
                    + "): fix or remove the file");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dataset.source(index) + " for evaluation: " + e.getMessage()
                    + "; fix or remove the file", e);
        }
    }
}
