package org.dinoj.model.eval;

import java.util.Objects;

/**
 * Features {@code [N, D]} with one class label per row ({@code labels[i]} in {@code [0, numClasses)},
 * or -1 for an unlabelled row). {@code imageIndices[i]} is the dataset index of row i's image, null
 * when row i is image i (no image was left out).
 */
public record LabeledFeatures(FeatureMatrix features, int[] labels, int numClasses, int[] imageIndices) {
    public LabeledFeatures(FeatureMatrix features, int[] labels, int numClasses) {
        this(features, labels, numClasses, null);
    }

    public LabeledFeatures {
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(labels, "labels");
        if (labels.length != features.rows()) {
            throw new IllegalArgumentException(labels.length + " labels for " + features.rows() + " feature rows");
        }
        if (imageIndices != null && imageIndices.length != features.rows()) {
            throw new IllegalArgumentException(imageIndices.length + " image indices for " + features.rows() + " feature rows");
        }
        if (numClasses < 0) {
            throw new IllegalArgumentException("numClasses " + numClasses + " must be >= 0");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < -1 || (labels[i] >= numClasses && labels[i] != -1)) {
                throw new IllegalArgumentException("label " + labels[i] + " of row " + i + " is outside [0, " + numClasses + ")");
            }
        }
    }

    public int rows() {
        return features.rows();
    }

    /** The dataset index of row {@code row}'s image. */
    public int imageIndex(int row) {
        return imageIndices == null ? row : imageIndices[row];
    }

    /**
     * @throws IllegalArgumentException naming {@code what} when a row is unlabelled or there are no
     *     classes: classification metrics need a label for every image
     */
    public void requireLabels(String what) {
        if (numClasses == 0) {
            throw new IllegalArgumentException(what + " has no class labels: evaluation needs a labelled dataset");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) {
                throw new IllegalArgumentException(what + " row " + i + " is unlabelled: evaluation needs a label for every image");
            }
        }
    }
}
