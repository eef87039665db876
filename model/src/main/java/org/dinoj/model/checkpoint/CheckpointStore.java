package org.dinoj.model.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoints of one job (or shard) in one directory, as {@code step-0000001200/} folders.
 * A checkpoint is written into a temporary folder, fsynced, described by MANIFEST.json (sha256 of
 * every file) and renamed into place, so a crash or a full disk leaves either a whole checkpoint or
 * none. A checkpoint whose manifest does not verify is never loaded.
 */
public final class CheckpointStore {
    public static final String MANIFEST = "MANIFEST.json";
    static final String FORMAT = "dinoj-checkpoint/1";
    private static final Logger log = LoggerFactory.getLogger(CheckpointStore.class);
    private static final Pattern STEP_DIR = Pattern.compile("step-(\\d{10})");
    private static final String TEMP_PREFIX = ".tmp-";
    private static final String REPLACED_PREFIX = TEMP_PREFIX + "old-";
    /** {@code .tmp-old-step-N-HOST-PID-UUID}: the host and process of the rewrite that renamed it aside. */
    private static final Pattern REPLACED_STEP_DIR = Pattern.compile(Pattern.quote(REPLACED_PREFIX)
            + "(step-\\d{10})-(?:(.+)-(\\d+)-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    /** How long a renamed-aside copy of another host's (or an unknown) rewrite is left to its writer. */
    private static final long FOREIGN_REWRITE_SECONDS = 60;
    private static final String HOST = localHost();
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path root;

    public CheckpointStore(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** Writes the files of one checkpoint into a directory given to {@link #save}. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path directory) throws IOException;
    }

    /**
     * Writes the checkpoint of {@code step}. On any failure (including a full disk) the partial
     * files are removed and the earlier checkpoints stay as they were.
     */
    public Checkpoint save(long step, Content content) throws CheckpointWriteException {
        return write(root.resolve(directoryName(step)), step, content, "earlier checkpoints are untouched");
    }

    /**
     * Writes one checkpoint directly as {@code target} (not under a store's {@code step-*} naming),
     * with the same temporary folder, manifest and atomic rename as {@link #save}.
     */
    public static Checkpoint writeDirectory(Path target, long step, Content content) throws CheckpointWriteException {
        return write(target, step, content, "nothing was left at " + target);
    }

    /** @param afterFailure what a failure leaves as it was, for its sentence */
    private static Checkpoint write(Path target, long step, Content content, String afterFailure)
            throws CheckpointWriteException {
        if (step < 0) {
            throw new IllegalArgumentException("checkpoint step " + step + " is negative");
        }
        Path root = target.toAbsolutePath().getParent();
        Path temp = root.resolve(TEMP_PREFIX + target.getFileName() + "-" + UUID.randomUUID());
        try {
            Files.createDirectories(root);
            Files.createDirectory(temp);
            content.writeTo(temp);
            Map<String, Checkpoint.FileDigest> digests = new TreeMap<>();
            try (Stream<Path> files = Files.list(temp)) {
                for (Path f : files.sorted().toList()) {
                    if (!Files.isRegularFile(f)) {
                        throw new IOException("checkpoint content must be plain files, found " + f.getFileName());
                    }
                    fsync(f);
                    digests.put(f.getFileName().toString(), digest(f));
                }
            }
            byte[] manifest = manifestBytes(step, digests);
            Path manifestFile = temp.resolve(MANIFEST);
            Files.write(manifestFile, manifest, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            fsync(manifestFile);
            // The folder's entries too: after a power loss the renamed checkpoint must hold its files.
            fsyncDirectory(temp);
            replace(temp, target);
            fsyncDirectory(root);
            return new Checkpoint(target, step, sha256Hex(manifest), digests);
        } catch (IOException | RuntimeException e) {
            deleteRecursively(temp);
            throw new CheckpointWriteException("checkpoint of step " + step + " could not be written to " + target + ": "
                    + describe(e) + "; " + afterFailure, e);
        }
    }

    /** Steps of all checkpoint directories present (verified or not), newest first. */
    public List<Long> steps() throws IOException {
        List<Long> steps = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return steps;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path d : dirs) {
                Matcher m = STEP_DIR.matcher(d.getFileName().toString());
                if (m.matches() && Files.isDirectory(d)) {
                    steps.add(Long.parseLong(m.group(1)));
                }
            }
        }
        steps.sort(Comparator.reverseOrder());
        return steps;
    }

    /**
     * The newest checkpoint that verifies. Each newer one that does not is logged with the reason
     * and skipped, so a corrupt or half-written checkpoint costs only the steps since the previous.
     */
    public Optional<Checkpoint> latestVerified() throws IOException {
        return latestVerified(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** As {@link #latestVerified()}, among the checkpoints with {@code after < step <= upTo}. */
    public Optional<Checkpoint> latestVerified(long after, long upTo) throws IOException {
        restoreInterruptedReplaces();
        for (long step : steps()) {
            if (step <= after || step > upTo) {
                continue;
            }
            try {
                return Optional.of(verify(step));
            } catch (CheckpointCorruptException e) {
                log.warn("skipping checkpoint {}: {}", root.resolve(directoryName(step)), e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** Verifies the checkpoint of {@code step} against its manifest (sizes and sha256 of every file). */
    public Checkpoint verify(long step) throws IOException {
        return verifyManifest(root.resolve(directoryName(step)), step);
    }

    /**
     * Verifies the checkpoint directory {@code dir} (any name) against its manifest, whatever step
     * the manifest records.
     */
    public static Checkpoint verifyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir + " is not a directory: pass a checkpoint directory (one with "
                    + MANIFEST + ", e.g. checkpoints/<job>/step-0000001200)");
        }
        return verifyManifest(dir, null);
    }

    /** @param expectedStep the step the manifest must record, or null for any */
    private static Checkpoint verifyManifest(Path dir, Long expectedStep) throws IOException {
        Path manifestFile = dir.resolve(MANIFEST);
        byte[] manifest;
        try {
            manifest = Files.readAllBytes(manifestFile);
        } catch (NoSuchFileException e) {
            throw new CheckpointCorruptException(dir + " has no " + MANIFEST);
        }
        JsonNode node;
        try {
            node = JSON.readTree(manifest);
        } catch (IOException e) {
            throw new CheckpointCorruptException(manifestFile + " is not valid JSON");
        }
        long step = node == null ? -1 : node.path("step").asLong(-1);
        if (node == null || !FORMAT.equals(node.path("format").asText()) || step < 0
                || (expectedStep != null && step != expectedStep) || !node.path("files").isObject()) {
            throw new CheckpointCorruptException(manifestFile + " is not a dinoj manifest"
                    + (expectedStep == null ? "" : " for step " + expectedStep));
        }
        Map<String, Checkpoint.FileDigest> digests = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.get("files").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (name.contains("/") || name.contains("\\") || name.startsWith(".")) {
                throw new CheckpointCorruptException(manifestFile + " names an invalid file '" + name + "'");
            }
            Path f = dir.resolve(name);
            long expectedBytes = e.getValue().path("bytes").asLong(-1);
            String expectedSha = e.getValue().path("sha256").asText("");
            if (!Files.isRegularFile(f)) {
                throw new CheckpointCorruptException(f + " is missing");
            }
            long actualBytes = Files.size(f);
            if (actualBytes != expectedBytes) {
                throw new CheckpointCorruptException(f + " has " + actualBytes + " bytes, the manifest says "
                        + expectedBytes + " (truncated?)");
            }
            Checkpoint.FileDigest actual = digest(f);
            if (!actual.sha256().equals(expectedSha)) {
                throw new CheckpointCorruptException(f + " does not match its sha256 in the manifest (corrupted)");
            }
            digests.put(name, actual);
        }
        return new Checkpoint(dir, step, sha256Hex(manifest), digests);
    }

    /** Deletes all but the newest {@code keep} checkpoints, and temporary folders of crashed writes. */
    public void retain(int keep) throws IOException {
        retain(keep, java.util.Set.of());
    }

    /**
     * As {@link #retain(int)}, but never deletes the checkpoints of the steps in {@code alsoKeep}
     * (e.g. the step a running round started from, which a retry may need again).
     */
    public void retain(int keep, java.util.Set<Long> alsoKeep) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("keep at least one checkpoint, got " + keep);
        }
        restoreInterruptedReplaces();
        retainSteps(keep, alsoKeep);
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, TEMP_PREFIX + "*")) {
            for (Path d : dirs) {
                Matcher replaced = REPLACED_STEP_DIR.matcher(d.getFileName().toString());
                if (replaced.matches() && !Files.exists(root.resolve(replaced.group(1)))) {
                    continue; // the only copy of its step, until its writer or the next read puts it back
                }
                deleteRecursively(d);
            }
        }
    }

    /**
     * As {@link #retain(int, java.util.Set)}, but deletes finished checkpoints only: a temporary
     * folder may be a write under way, which a caller that is not this store's writer leaves alone.
     */
    public void retainSteps(int keep, java.util.Set<Long> alsoKeep) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("keep at least one checkpoint, got " + keep);
        }
        List<Long> steps = steps();
        for (int i = keep; i < steps.size(); i++) {
            if (!alsoKeep.contains(steps.get(i))) {
                deleteRecursively(root.resolve(directoryName(steps.get(i))));
            }
        }
    }

    /**
     * Moves the checkpoint of {@code step} into {@code folder}, out of this store's steps (so out of
     * resumes and retention), keeping its files; an older copy of the same step there is replaced.
     *
     * @return where it now is
     */
    public Path moveAside(long step, Path folder) throws IOException {
        Path target = folder.resolve(directoryName(step));
        Files.createDirectories(folder);
        deleteRecursively(target);
        Files.move(root.resolve(directoryName(step)), target, StandardCopyOption.ATOMIC_MOVE);
        fsyncDirectory(folder);
        fsyncDirectory(root);
        return target;
    }

    /** Whether {@code dir} is a checkpoint folder (it holds a manifest, which names its files): nothing else writes there. */
    public static boolean isCheckpointFolder(Path dir) {
        return dir != null && Files.exists(dir.resolve(MANIFEST));
    }

    public static String directoryName(long step) {
        return String.format("step-%010d", step);
    }

    /** Thrown when a checkpoint does not verify; the message says which file and why. */
    public static final class CheckpointCorruptException extends IOException {
        public CheckpointCorruptException(String message) {
            super(message);
        }
    }

    private static byte[] manifestBytes(long step, Map<String, Checkpoint.FileDigest> digests) throws IOException {
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("format", FORMAT);
        manifest.put("step", step);
        ObjectNode files = manifest.putObject("files");
        digests.forEach((name, d) -> files.putObject(name).put("bytes", d.bytes()).put("sha256", d.sha256()));
        return JSON.writeValueAsBytes(manifest);
    }

    /**
     * Moves the finished temporary folder into place, replacing an older write of the same step. The
     * older one is renamed aside first; should the second rename fail it is put back, and should the
     * process die between the two, {@link #restoreInterruptedReplaces} puts it back on the next read.
     */
    private static void replace(Path temp, Path target) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling(replacedName(target.getFileName().toString(), ProcessHandle.current().pid()));
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (old != null) {
                try {
                    Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException putBack) {
                    e.addSuppressed(putBack);
                }
            }
            if (e instanceof AtomicMoveNotSupportedException) {
                throw new IOException("the checkpoint directory's file system cannot rename atomically", e);
            }
            throw e;
        }
        if (old != null) {
            deleteRecursively(old);
        }
    }

    /** The name a rewrite of {@code stepDir} by process {@code pid} of this host gives the copy it replaces. */
    static String replacedName(String stepDir, long pid) {
        return REPLACED_PREFIX + stepDir + "-" + HOST + "-" + pid + "-" + UUID.randomUUID();
    }

    /**
     * Puts back a checkpoint that {@link #replace} had renamed aside when the process died before the
     * new write took its name, so the step is not lost with the temporary folders {@link #retain} removes.
     * A copy whose writer may still be between its two renames is left to it: a live process of this
     * host, or one of another host (a shared file system) renamed less than a minute ago.
     */
    private void restoreInterruptedReplaces() throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, REPLACED_PREFIX + "*")) {
            for (Path d : dirs) {
                Matcher m = REPLACED_STEP_DIR.matcher(d.getFileName().toString());
                Path target = m.matches() ? root.resolve(m.group(1)) : null;
                if (target == null || Files.exists(target) || writerMayBeAt(d, m.group(2), m.group(3))) {
                    continue;
                }
                try {
                    Files.move(d, target, StandardCopyOption.ATOMIC_MOVE);
                    fsyncDirectory(root);
                    log.warn("restored {} from {}: a rewrite of that step was interrupted", target, d.getFileName());
                } catch (IOException e) {
                    // Another process got there first (it put it back, or finished its write).
                    log.debug("could not restore {} from {}: {}", target, d.getFileName(), e.toString());
                }
            }
        }
    }

    /** Whether the rewrite that renamed {@code copy} aside may still be running (host and pid null when unknown). */
    private static boolean writerMayBeAt(Path copy, String host, String pid) throws IOException {
        if (HOST.equals(host) && pid != null) {
            return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        }
        if (!copy.getFileSystem().supportedFileAttributeViews().contains("unix")) {
            // No change time to go by: restored, since a step lost weighs more than a rewrite that fails and is retried.
            return false;
        }
        try {
            // The rename set its change time.
            FileTime renamed = (FileTime) Files.getAttribute(copy, "unix:ctime");
            return renamed.toInstant().isAfter(java.time.Instant.now().minusSeconds(FOREIGN_REWRITE_SECONDS));
        } catch (NoSuchFileException e) {
            return true; // moved meanwhile, by its writer or another reader: nothing left to restore
        }
    }

    /** This host's name as it may stand in a file name: letters, digits and dots. */
    private static String localHost() {
        try {
            String name = java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9.]", "");
            return name.isEmpty() ? "host" : name;
        } catch (IOException e) {
            return "host";
        }
    }

    static Checkpoint.FileDigest digest(Path file) throws IOException {
        MessageDigest sha = sha256();
        byte[] buffer = new byte[1 << 20];
        long bytes = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                sha.update(buffer, 0, n);
                bytes += n;
            }
        }
        return new Checkpoint.FileDigest(bytes, HexFormat.of().formatHex(sha.digest()));
    }

    static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** Forces {@code file}'s content to disk. */
    public static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** Forces {@code dir}'s entries to disk where the file system can (a rename into it survives a power cut). */
    public static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems cannot fsync a directory; the rename is still atomic there.
            log.debug("could not fsync directory {}: {}", dir, e.toString());
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }

    /** Deletes {@code path} and everything under it; a failure is logged, not thrown (cleanup must not mask the work). */
    public static void deleteRecursively(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.warn("could not delete {}: {}", path, e.toString());
        }
    }
}
