package org.dinoj.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Files the tests hand around as a person would: a checkpoint directory copied under another name. */
public final class Directories {
    private Directories() {
    }

    /** Copies the files of {@code from} (no subdirectories: a checkpoint has none) into {@code to}; returns {@code to}. */
    public static Path copyFlat(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }
}
