package org.dinoj.model.eval;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes NumPy {@code .npy} files (format version 1.0): the magic {@code \x93NUMPY}, version 1.0,
 * a little-endian uint16 header length, then a Python dict literal
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (N, D), }} padded with spaces and a
 * final newline so the data starts at a multiple of 64 bytes, then the values, little-endian, C
 * order. Files are written to a temporary name and moved into place.
 */
public final class NpyWriter {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGNMENT = 64;
    private static final int CHUNK = 1 << 16;

    private NpyWriter() {}

    /** Writes {@code values} as float32 ({@code '<f4'}) with the given C-order shape. */
    public static void writeFloat32(Path file, float[] values, int... shape) throws IOException {
        checkShape(values.length, shape, file);
        write(file, "<f4", shape, values.length, (buffer, from, count) -> buffer.asFloatBuffer().put(values, from, count));
    }

    /** Writes {@code values} as int32 ({@code '<i4'}) with the given C-order shape. */
    public static void writeInt32(Path file, int[] values, int... shape) throws IOException {
        checkShape(values.length, shape, file);
        write(file, "<i4", shape, values.length, (buffer, from, count) -> buffer.asIntBuffer().put(values, from, count));
    }

    /** Writes a feature matrix as float32 {@code [N, D]}. */
    public static void write(Path file, FeatureMatrix features) throws IOException {
        writeFloat32(file, features.values(), features.rows(), features.dim());
    }

    /** The complete header (magic through padding newline) for a C-order array. */
    static byte[] header(String descr, int[] shape) {
        StringBuilder dims = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            dims.append(shape[i]);
            if (shape.length == 1 || i < shape.length - 1) {
                dims.append(shape.length == 1 ? "," : ", ");
            }
        }
        dims.append(')');
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + dims + ", }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int padding = (ALIGNMENT - unpadded % ALIGNMENT) % ALIGNMENT;
        String text = dict + " ".repeat(padding) + "\n";
        if (text.length() > 0xFFFF) {
            throw new IllegalArgumentException("a .npy v1.0 header holds at most 65535 bytes; shape " + dims + " is too long");
        }
        ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 4 + text.length()).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length()).put(text.getBytes(StandardCharsets.US_ASCII));
        return out.array();
    }

    private interface ChunkFiller {
        void fill(ByteBuffer buffer, int from, int count);
    }

    private static void write(Path file, String descr, int[] shape, int length, ChunkFiller filler) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                out.write(header(descr, shape));
                ByteBuffer buffer = ByteBuffer.allocate(CHUNK * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (int from = 0; from < length; from += CHUNK) {
                    int count = Math.min(CHUNK, length - from);
                    buffer.clear();
                    filler.fill(buffer, from, count);
                    out.write(buffer.array(), 0, count * 4);
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void checkShape(int length, int[] shape, Path file) {
        long product = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " for " + file + " has a negative dimension");
            }
            product *= d;
        }
        if (product != length) {
            throw new IllegalArgumentException(length + " values do not fill shape " + java.util.Arrays.toString(shape) + " for " + file);
        }
    }
}
