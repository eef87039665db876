package org.dinoj.worker.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/**
 * {@code Idempotency-Key -> job id}, persisted beside the job registry
 * ({@code ROOT/registry/idempotency/<sha256 of the key>.json}) so that a retried
 * {@code POST /v1/jobs} returns the job the first attempt started, across API restarts too. A claim
 * is written to a temporary file and linked into place, which fails when the key is taken: two
 * racing requests cannot both claim it.
 */
public final class IdempotencyKeys {
    /** Keys are opaque to dinoj; this bounds what is stored and logged. */
    static final int MAX_KEY_LENGTH = 255;
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** What a key was first used for. */
    public record Claim(String key, String requestSha256, String jobId, Instant createdAt) {
    }

    private final Path directory;

    public IdempotencyKeys(Path checkpointRoot) {
        this.directory = checkpointRoot.resolve("registry").resolve("idempotency");
    }

    /** Refuses keys that are empty, too long or not printable ASCII. */
    public static void check(String key) {
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw ApiException.badRequest("the Idempotency-Key header must be 1-" + MAX_KEY_LENGTH
                    + " printable ASCII characters without spaces, e.g. a UUID");
        }
    }

    public Optional<Claim> find(String key) throws IOException {
        Path file = file(key);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(JSON.readValue(file.toFile(), Claim.class));
    }

    /** Claims {@code key} for {@code jobId}; returns the earlier claim instead when the key was taken. */
    public Optional<Claim> claim(String key, String requestSha256, String jobId) throws IOException {
        Files.createDirectories(directory);
        Path target = file(key);
        Path temp = Files.createTempFile(directory, ".tmp-", ".json");
        try {
            JSON.writeValue(temp.toFile(), new Claim(key, requestSha256, jobId, Instant.now()));
            Files.createLink(target, temp);
            return Optional.empty();
        } catch (FileAlreadyExistsException taken) {
            return find(key);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Releases a claim whose job could not be started, so that a retry may start it. */
    public void release(String key) throws IOException {
        Files.deleteIfExists(file(key));
    }

    private Path file(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.US_ASCII));
            return directory.resolve(HexFormat.of().formatHex(digest) + ".json");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
