package org.dinoj.model.eval;

import java.util.List;
import org.dinoj.model.data.Image;

/** Turns images into feature vectors for evaluation (k-NN, linear probe, embeddings). */
public interface FeatureExtractor {
    /** The name used on the command line, e.g. {@code raw-pixels}. */
    String name();

    /** Feature width D for images shaped like {@code example}. */
    int dimension(Image example);

    /**
     * Writes the features of {@code batch} into {@code out} as {@code [B, D]} row-major, starting at
     * {@code out[offset]}. Every image must have the shape the dimension was asked for.
     */
    void extract(List<Image> batch, float[] out, int offset);
}
