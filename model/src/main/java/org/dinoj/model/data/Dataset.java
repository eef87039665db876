package org.dinoj.model.data;

import java.io.IOException;

/**
 * A random-access collection of images with optional labels. Implementations are named by a spec
 * string ({@code idx:DIR}, {@code folder:DIR}, {@code synthetic:N}, {@code fashion-mnist}).
 * Reading must be thread-safe: the loader decodes in parallel.
 */
public interface Dataset {
    /** Number of images. */
    int size();

    /**
     * Decodes image {@code index}.
     *
     * @throws IOException when the file behind it cannot be read or decoded (the loader skips and
     *     counts such images)
     */
    Image image(int index) throws IOException;

    /** Class label of image {@code index}, or -1 when the dataset has no labels. */
    int label(int index);

    /** Number of classes, or 0 when unlabelled. */
    int numClasses();

    /** What this dataset is, for logs and errors (spec and size). */
    String describe();

    /**
     * What a resume compares to tell whether the dataset is still the one a checkpoint trained on,
     * without its location (a moved folder is the same data): a checkpoint keeps it, and a session
     * resumed where it differs says so, since its batches are no longer the ones the job would have
     * drawn. File contents are not read.
     */
    default String fingerprint() {
        return size() + " images, " + numClasses() + " classes";
    }

    /** The dataset's short name inside a sentence (its spec); {@link #describe()} unless shorter is known. */
    default String name() {
        return describe();
    }

    /**
     * Where image {@code index} comes from (a file path, or the dataset and index), so errors
     * about bad images can name it.
     */
    default String source(int index) {
        return describe() + " image " + index;
    }
}
