package org.dinoj.model.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes features for use outside dinoj: {@code NAME-features.npy} (float32 {@code [N, D]}) and
 * {@code NAME-labels.npy} (int32 {@code [N]}, -1 for unlabelled) in a directory, loadable with
 * {@code numpy.load}.
 */
public final class EmbeddingExport {
    private EmbeddingExport() {}

    /** @return the two files written, features first */
    public static List<Path> write(Path dir, String name, LabeledFeatures features) throws IOException {
        if (name.isBlank() || name.contains("/") || name.contains("\\")) {
            throw new IllegalArgumentException("embedding name '" + name + "' must be a plain file-name prefix such as 'train'");
        }
        Path featureFile = dir.resolve(name + "-features.npy");
        Path labelFile = dir.resolve(name + "-labels.npy");
        NpyWriter.write(featureFile, features.features());
        NpyWriter.writeInt32(labelFile, features.labels(), features.rows());
        return List.of(featureFile, labelFile);
    }
}
