package org.dinoj.model.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** The CUDA C kernel sources shipped as resources under {@code org/dinoj/cuda/} in the native module. */
public final class KernelSources {
    /** The header every source includes. */
    public static final String COMMON_HEADER = "dinoj_common.cuh";
    /** The compilation units, one CUDA module each. */
    public static final List<String> UNITS = List.of("elementwise.cu", "rows.cu", "reduce.cu", "attention.cu");

    private static final String FOLDER = "/org/dinoj/cuda/";

    private KernelSources() {
    }

    public static String read(String file) {
        try (InputStream in = KernelSources.class.getResourceAsStream(FOLDER + file)) {
            if (in == null) {
                throw new IllegalStateException("kernel source " + FOLDER + file
                        + " is not on the class path: the dinoj-native jar is missing or incomplete");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kernel source " + file, e);
        }
    }

    /** Include name to text, for {@link NvrtcCompiler#compile}. */
    public static Map<String, String> headers() {
        return Map.of(COMMON_HEADER, read(COMMON_HEADER));
    }
}
