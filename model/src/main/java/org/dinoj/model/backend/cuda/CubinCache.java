package org.dinoj.model.backend.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiled kernel images on disk, so that each process does not spend seconds in NVRTC again:
 * files named by the SHA-256 of everything that determines the image (source, headers, options,
 * NVRTC version). A missing, unreadable or corrupt file is recompiled; a failed write only costs
 * the next process a compile. {@code DINOJ_CUDA_CACHE_DIR} names the folder (default
 * {@code ~/.cache/dinoj/cubin}); {@code off} disables the cache.
 */
final class CubinCache {
    private static final Logger LOG = LoggerFactory.getLogger(CubinCache.class);
    static final String DIR_VARIABLE = "DINOJ_CUDA_CACHE_DIR";

    private final Path dir;

    /** A cache in {@code dir}, or a disabled one when dir is null. */
    CubinCache(Path dir) {
        this.dir = dir;
    }

    /** The cache the environment asks for. */
    static CubinCache ofSystem() {
        String value = System.getenv(DIR_VARIABLE);
        if ("off".equals(value)) {
            return new CubinCache(null);
        }
        if (value != null && !value.isEmpty()) {
            return new CubinCache(Path.of(value));
        }
        String home = System.getProperty("user.home");
        return new CubinCache(home == null ? null : Path.of(home, ".cache", "dinoj", "cubin"));
    }

    /**
     * The image of {@code unit} for {@code keyParts} (every input of the compile), from disk or
     * from {@code compile}, which is then stored.
     */
    byte[] get(String unit, Supplier<byte[]> compile, String... keyParts) {
        if (dir == null) {
            return compile.get();
        }
        Path file = dir.resolve(unit.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + sha256(keyParts) + ".cubin");
        try {
            if (Files.isRegularFile(file)) {
                byte[] cached = Files.readAllBytes(file);
                if (isElf(cached)) {
                    LOG.debug("kernel image {} from {}", unit, file);
                    return cached;
                }
                LOG.warn("ignoring the corrupt kernel image cache file {}", file);
            }
        } catch (IOException e) {
            LOG.debug("cannot read the kernel image cache file {}: {}", file, e.toString());
        }
        byte[] image = compile.get();
        store(file, image);
        return image;
    }

    private void store(Path file, byte[] image) {
        try {
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, "partial-", ".cubin");
            Files.write(temp, image);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.debug("cannot write the kernel image cache file {}: {}", file, e.toString());
        }
    }

    /** A CUBIN is an ELF file. */
    private static boolean isElf(byte[] image) {
        return image.length > 4 && image[0] == 0x7f && image[1] == 'E' && image[2] == 'L' && image[3] == 'F';
    }

    private static String sha256(String... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                // length-prefixed, so ("ab", "c") and ("a", "bc") differ
                digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
                digest.update((byte) ':');
                digest.update(bytes);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }
}
