package org.dinoj.worker.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The bearer token every API route but {@code /healthz} requires. It comes from a file (first line,
 * trimmed) or the environment variable {@value #ENV}; comparison takes the same time whatever the
 * guess, so a caller learns nothing from timing.
 */
public final class ApiToken {
    public static final String ENV = "DINOJ_API_TOKEN";
    /** Shorter tokens are guessable; refused at start-up. */
    static final int MIN_LENGTH = 16;

    private final byte[] token;

    private ApiToken(String token) {
        if (token.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("the API token has " + token.length() + " characters; use at least "
                    + MIN_LENGTH + " (e.g. openssl rand -hex 32)");
        }
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    public static ApiToken of(String token) {
        return new ApiToken(token.trim());
    }

    /** From {@code file} if given, else from {@value #ENV}; empty when neither names a token. */
    public static Optional<ApiToken> load(Path file, String environmentValue) throws IOException {
        if (file != null) {
            String text = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("").trim();
            if (text.isEmpty()) {
                throw new IllegalArgumentException("the token file " + file + " is empty; write the token on its first line");
            }
            return Optional.of(of(text));
        }
        if (environmentValue != null && !environmentValue.isBlank()) {
            return Optional.of(of(environmentValue));
        }
        return Optional.empty();
    }

    /** Whether an {@code Authorization} header value carries this token as {@code Bearer <token>}. */
    public boolean accepts(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(token, given);
    }
}
