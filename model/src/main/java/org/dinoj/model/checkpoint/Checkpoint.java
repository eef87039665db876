package org.dinoj.model.checkpoint;

import java.nio.file.Path;
import java.util.Map;

/**
 * A verified checkpoint directory: its step, the sha256 of its MANIFEST.json (what references
 * carry) and the digest of each file.
 */
public record Checkpoint(Path directory, long step, String manifestSha256, Map<String, FileDigest> files) {
    public Checkpoint {
        files = Map.copyOf(files);
    }

    public Path file(String name) {
        if (!files.containsKey(name)) {
            throw new IllegalArgumentException("checkpoint " + directory + " has no file " + name);
        }
        return directory.resolve(name);
    }

    /** Size and sha256 (hex) of one file. */
    public record FileDigest(long bytes, String sha256) {
    }
}
