package org.dinoj.model.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dinoj.model.data.Dataset;

/**
 * Writes features for use outside dinoj: {@code NAME-features.npy} (float32 {@code [N, D]}),
 * {@code NAME-labels.npy} (int32 {@code [N]}, -1 for unlabelled), loadable with {@code numpy.load},
 * and {@code NAME-files.txt}: row i's image (its file, or the dataset and index), one per line, so
 * that a row of a vector index leads back to its image.
 */
public final class EmbeddingExport {
    private EmbeddingExport() {}

    /** @return the files written: features, labels, then the image of each row when {@code images} is given */
    public static List<Path> write(Path dir, String name, LabeledFeatures features, Dataset images) throws IOException {
        List<Path> written = new java.util.ArrayList<>(write(dir, name, features));
        if (images != null) {
            Path sources = dir.resolve(name + "-files.txt");
            StringBuilder text = new StringBuilder();
            for (int row = 0; row < features.rows(); row++) {
                text.append(images.source(features.imageIndex(row))).append('\n');
            }
            Files.writeString(sources, text, StandardCharsets.UTF_8);
            written.add(sources);
        }
        return written;
    }

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
