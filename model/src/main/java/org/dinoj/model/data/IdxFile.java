package org.dinoj.model.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * One IDX file (the MNIST format: a big-endian header {@code 0, 0, type, ndims}, then {@code ndims}
 * big-endian int32 sizes, then the data), read whole into memory. Only unsigned-byte data (type
 * 0x08) is supported, which is what MNIST and Fashion-MNIST use. Gzip compression is detected from
 * the content, not the name.
 *
 * @param path where it was read from (for errors)
 * @param dims the sizes, outermost first (e.g. [N, H, W] for images, [N] for labels)
 * @param bytes the whole file, decompressed; the data start at {@code dataOffset}
 * @param dataOffset index of the first data byte in {@code bytes}
 */
public record IdxFile(Path path, int[] dims, byte[] bytes, int dataOffset) {
    private static final int UNSIGNED_BYTE = 0x08;

    /** Reads and checks an IDX file; every problem is a {@link DatasetException} naming the file. */
    public static IdxFile read(Path path) {
        byte[] bytes = readAll(path);
        if (bytes.length < 4) {
            throw new DatasetException("IDX file " + path + " is truncated (" + bytes.length
                    + " bytes, shorter than its 4-byte header): download it again");
        }
        int type = bytes[2] & 0xFF;
        int ndims = bytes[3] & 0xFF;
        if (bytes[0] != 0 || bytes[1] != 0 || ndims == 0) {
            throw new DatasetException(String.format(
                    "%s is not an IDX file (magic 0x%08x, expected 0x000008NN): point idx: at the MNIST-style *-ubyte files",
                    path, readInt(bytes, 0)));
        }
        if (type != UNSIGNED_BYTE) {
            throw new DatasetException(String.format(
                    "IDX file %s holds data of type 0x%02x, but only unsigned bytes (0x08) are supported: convert it to uint8",
                    path, type));
        }
        int headerBytes = 4 + 4 * ndims;
        if (bytes.length < headerBytes) {
            throw new DatasetException("IDX file " + path + " is truncated inside its header (" + bytes.length
                    + " bytes, header needs " + headerBytes + "): download it again");
        }
        int[] dims = new int[ndims];
        long expected = 1;
        for (int d = 0; d < ndims; d++) {
            dims[d] = readInt(bytes, 4 + 4 * d);
            if (dims[d] < 0) {
                throw new DatasetException("IDX file " + path + " declares a negative size " + dims[d]
                        + " in dimension " + d + ": the file is damaged, download it again");
            }
            expected *= dims[d];
        }
        long actual = bytes.length - (long) headerBytes;
        if (actual != expected) {
            throw new DatasetException("IDX file " + path + " has " + actual + " data bytes but its header "
                    + Arrays.toString(dims) + " declares " + expected + (actual < expected ? " (truncated)" : "")
                    + ": download it again");
        }
        return new IdxFile(path, dims, bytes, headerBytes);
    }

    /** Number of items (the outermost dimension). */
    public int count() {
        return dims[0];
    }

    /** Unsigned value of data byte {@code i} (flat, row-major over {@code dims}). */
    public int unsigned(long i) {
        return bytes[Math.toIntExact(dataOffset + i)] & 0xFF;
    }

    private static byte[] readAll(Path path) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            if (!gzip) {
                return raw.readAllBytes();
            }
            try (InputStream in = new GZIPInputStream(raw, 1 << 16)) {
                return in.readAllBytes();
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new DatasetException("IDX file " + path + " does not exist: check the idx: directory", e);
        } catch (IOException e) {
            throw new DatasetException("IDX file " + path + " could not be read (" + e.getMessage()
                    + "), it is probably truncated: download it again", e);
        }
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }
}
