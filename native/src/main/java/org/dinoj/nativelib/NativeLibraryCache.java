package org.dinoj.nativelib;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Extracts native libraries from class path resources (the org.bytedeco jars) into a directory
 * keyed by their content, so that they are written once per machine and libraries that find each
 * other through {@code RUNPATH $ORIGIN} sit side by side.
 *
 * <p>The key is a hash of each resource's name, size and CRC-32: for a jar entry these come from
 * the jar's directory without reading the data. Two processes may extract at once: each file is
 * written to a temporary file in the target directory and atomically renamed into place, so a
 * reader sees either no file or a complete one.
 */
public final class NativeLibraryCache {
    /** Environment variable naming the cache root; default {@code ~/.cache/dinoj/native}. */
    public static final String CACHE_DIR_ENV = "DINOJ_CACHE_DIR";

    private final Path root;

    public NativeLibraryCache(Path root) {
        this.root = root;
    }

    /** The cache under {@code $DINOJ_CACHE_DIR} or {@code ~/.cache/dinoj/native}. */
    public static NativeLibraryCache standard() {
        String configured = System.getenv(CACHE_DIR_ENV);
        Path root = configured != null && !configured.isBlank()
                ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "dinoj", "native");
        return new NativeLibraryCache(root);
    }

    public Path root() {
        return root;
    }

    /**
     * Extracts {@code resources} (class path names such as
     * {@code org/bytedeco/dnnl/linux-x86_64/libdnnl.so.3}) into one directory, named by their
     * content key, and returns that directory. Files already there with the right size are kept.
     */
    public Path extract(ClassLoader loader, List<String> resources) {
        List<Resource> found = new ArrayList<>();
        for (String name : resources) {
            found.add(locate(loader, name));
        }
        Path dir = root.resolve(key(found));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new NativeLibraryException("cannot create the native library cache directory " + dir
                    + " (" + e.getMessage() + "): set " + CACHE_DIR_ENV + " to a writable directory", e);
        }
        for (Resource resource : found) {
            Path target = dir.resolve(resource.fileName());
            if (!isComplete(target, resource)) {
                writeAtomically(resource, target);
            }
        }
        return dir;
    }

    /** A class path resource with the size and CRC-32 of its content. */
    record Resource(String name, URL url, long size, long crc) {
        String fileName() {
            return name.substring(name.lastIndexOf('/') + 1);
        }
    }

    static Resource locate(ClassLoader loader, String name) {
        URL url = loader.getResource(name);
        if (url == null) {
            throw new NativeLibraryException("native library " + name + " is not on the class path: "
                    + "add the org.bytedeco jar that contains it (dinoj-native depends on it)");
        }
        try {
            if (url.getProtocol().equals("jar")) {
                JarURLConnection connection = (JarURLConnection) url.openConnection();
                Path jar = Path.of(connection.getJarFileURL().toURI());
                try (ZipFile zip = new ZipFile(jar.toFile())) {
                    ZipEntry entry = zip.getEntry(connection.getEntryName());
                    if (entry != null && entry.getSize() >= 0 && entry.getCrc() >= 0) {
                        return new Resource(name, url, entry.getSize(), entry.getCrc());
                    }
                }
            }
            // An unpacked class path directory (or a jar entry without recorded size): read it once.
            CRC32 crc = new CRC32();
            long size = 0;
            byte[] buffer = new byte[1 << 16];
            try (InputStream in = url.openStream()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    crc.update(buffer, 0, n);
                    size += n;
                }
            }
            return new Resource(name, url, size, crc.getValue());
        } catch (IOException | URISyntaxException e) {
            throw new NativeLibraryException("cannot read native library " + name + " from " + url
                    + " (" + e.getMessage() + "): check that the jar is intact", e);
        }
    }

    static String key(List<Resource> resources) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Resource r : resources) {
                sha.update((r.name() + ' ' + r.size() + ' ' + Long.toHexString(r.crc()) + '\n')
                        .getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static boolean isComplete(Path target, Resource resource) {
        try {
            return Files.isRegularFile(target) && Files.size(target) == resource.size();
        } catch (IOException e) {
            return false;
        }
    }

    private static void writeAtomically(Resource resource, Path target) {
        Path dir = target.getParent();
        Path temp = null;
        try {
            temp = Files.createTempFile(dir, resource.fileName() + ".", ".tmp");
            CRC32 crc = new CRC32();
            long size = 0;
            byte[] buffer = new byte[1 << 16];
            try (InputStream in = resource.url().openStream(); OutputStream out = Files.newOutputStream(temp)) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    crc.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                    size += n;
                }
            }
            if (size != resource.size() || crc.getValue() != resource.crc()) {
                throw new NativeLibraryException("native library " + resource.name() + " read back with size "
                        + size + " and CRC " + Long.toHexString(crc.getValue()) + " instead of " + resource.size()
                        + " and " + Long.toHexString(resource.crc()) + ": the jar is damaged, download it again");
            }
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("r-xr-xr-x"));
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
        } catch (IOException e) {
            throw new NativeLibraryException("cannot extract native library " + resource.name() + " to " + target
                    + " (" + e.getMessage() + "): set " + CACHE_DIR_ENV + " to a writable directory", e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // a leftover temporary file is harmless: it is never read
                }
            }
        }
    }
}
