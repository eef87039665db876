package org.dinoj.worker.activities;

import java.net.URI;
import java.nio.file.Path;
import org.dinoj.model.checkpoint.Checkpoint;
import org.dinoj.workflows.CheckpointRef;

/**
 * Where a job's checkpoints live under its checkpoint store: {@code <store>/shard-<k>/step-XXXXXXXXXX/}
 * per data shard and {@code <store>/global/step-XXXXXXXXXX/} for merged checkpoints. With one shard
 * the shard-0 checkpoints are the global ones and {@code global/} stays empty. A shard's (and
 * {@code global/}'s) {@code abandoned/} holds checkpoints of a run the job did not go on from (see
 * {@link ResumePlanner#abandonedAfter}).
 */
public record CheckpointLayout(Path root) {

    /** The store of {@code checkpointStore}, a {@code file:} URI or a plain path; other schemes are refused. */
    public static CheckpointLayout of(String checkpointStore) {
        return new CheckpointLayout(localPath(checkpointStore, "checkpoint store"));
    }

    public Path shard(int shard) {
        return root.resolve("shard-" + shard);
    }

    /** Where a shard's checkpoints left by an abandoned run are kept, out of resumes and retention. */
    public Path abandoned(int shard) {
        return shard(shard).resolve("abandoned");
    }

    /** Which activity last set a shard's abandoned checkpoints aside (see {@link ResumePlanner#abandonedAfter}). */
    Path setAsideMark(int shard) {
        return shard(shard).resolve("set-aside-by");
    }

    public Path global() {
        return root.resolve("global");
    }

    /** Where merges left by an abandoned run are kept, out of resumes and retention. */
    public Path abandonedGlobal() {
        return global().resolve("abandoned");
    }

    /** Scratch space for composed resume directories; never a checkpoint. */
    Path views() {
        return root.resolve(".views");
    }

    /** Directory a reference points to. */
    public static Path directory(CheckpointRef ref) {
        return localPath(ref.uri(), "checkpoint reference");
    }

    public static CheckpointRef ref(Checkpoint checkpoint) {
        return new CheckpointRef(checkpoint.directory().toAbsolutePath().normalize().toUri().toString(),
                checkpoint.manifestSha256(), checkpoint.step());
    }

    static Path localPath(String location, String what) {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("the " + what + " location is empty; give a directory path or a file: URI");
        }
        int colon = location.indexOf(':');
        boolean hasScheme = colon > 1 && location.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*");
        if (!hasScheme) {
            return Path.of(location).toAbsolutePath().normalize();
        }
        URI uri = URI.create(location);
        if (!"file".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("the " + what + " '" + location + "' uses the scheme '" + uri.getScheme()
                    + "', but dinoj reads and writes checkpoints only on local or mounted file systems (file: URIs or paths)");
        }
        return Path.of(uri).toAbsolutePath().normalize();
    }
}
