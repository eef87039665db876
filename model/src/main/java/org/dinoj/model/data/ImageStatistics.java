package org.dinoj.model.data;

import java.io.IOException;
import org.dinoj.model.data.augment.Normalization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Computes per-channel pixel statistics of a dataset, for {@link Normalization}. */
public final class ImageStatistics {
    private static final Logger LOG = LoggerFactory.getLogger(ImageStatistics.class);

    private ImageStatistics() {}

    /**
     * Mean and population standard deviation per channel over every pixel of every image
     * (images may differ in size; all must have the same channel count), accumulated in double.
     * Images that cannot be decoded are skipped and counted in the log.
     */
    public static Normalization compute(Dataset dataset) {
        int channels = -1;
        double[] sum = null;
        double[] sumSquares = null;
        long[] count = null;
        int skipped = 0;
        for (int i = 0; i < dataset.size(); i++) {
            Image image;
            try {
                image = dataset.image(i);
            } catch (IOException e) {
                skipped++;
                continue;
            }
            if (channels < 0) {
                channels = image.channels();
                sum = new double[channels];
                sumSquares = new double[channels];
                count = new long[channels];
            } else if (image.channels() != channels) {
                throw new DatasetException(dataset.source(i) + " has " + image.channels() + " channels but earlier images have "
                        + channels + ": statistics need one channel count, convert the images first");
            }
            int plane = image.height() * image.width();
            float[] p = image.pixels();
            for (int c = 0; c < channels; c++) {
                // Per-image partial sums keep the double accumulators well conditioned.
                double s = 0;
                double s2 = 0;
                for (int k = c * plane; k < (c + 1) * plane; k++) {
                    s += p[k];
                    s2 += (double) p[k] * p[k];
                }
                sum[c] += s;
                sumSquares[c] += s2;
                count[c] += plane;
            }
        }
        if (channels < 0) {
            throw new DatasetException("no image of " + dataset.describe() + " could be decoded, so it has no statistics");
        }
        if (skipped > 0) {
            LOG.warn("{}: {} undecodable images left out of the statistics", dataset.describe(), skipped);
        }
        float[] mean = new float[channels];
        float[] std = new float[channels];
        for (int c = 0; c < channels; c++) {
            double m = sum[c] / count[c];
            mean[c] = (float) m;
            std[c] = (float) Math.sqrt(Math.max(0, sumSquares[c] / count[c] - m * m));
        }
        return new Normalization(mean, std);
    }
}
