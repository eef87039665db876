package org.dinoj.model.train.config;

import java.util.Locale;
import org.dinoj.model.backend.Precision;

/**
 * Where and how the numbers are computed.
 *
 * @param backend   reference (plain Java, slow, the test oracle), dnnl (oneDNN on CPU) or cuda
 * @param precision f32, or bf16 matmuls with f32 accumulation and f32 master weights
 * @param threads   OpenMP team of the dnnl backend's large primitives, on whichever thread runs them;
 *                  0 keeps the runtime's default ({@code DINOJ_THREADS} / {@code OMP_NUM_THREADS}, else all cores)
 */
public record ComputeConfig(String backend, String precision, int threads) {

    public ComputeConfig {
        backendKind(backend);
        precisionOf(precision);
        if (threads < 0) {
            throw new IllegalArgumentException("compute.threads is " + threads + "; use a positive count or 0 for the default");
        }
    }

    public static ComputeConfig defaults() {
        return new ComputeConfig("dnnl", "f32", 0);
    }

    /** The backend name in lower case: reference, dnnl or cuda. */
    public String backendKind() {
        return backendKind(backend);
    }

    public Precision matmulPrecision() {
        return precisionOf(precision);
    }

    private static String backendKind(String backend) {
        String b = backend == null ? "" : backend.toLowerCase(Locale.ROOT);
        if (!b.equals("reference") && !b.equals("dnnl") && !b.equals("cuda")) {
            throw new IllegalArgumentException("compute.backend is '" + backend + "'; use reference, dnnl or cuda");
        }
        return b;
    }

    private static Precision precisionOf(String precision) {
        return switch (precision == null ? "" : precision.toLowerCase(Locale.ROOT)) {
            case "f32", "fp32" -> Precision.F32;
            case "bf16" -> Precision.BF16;
            default -> throw new IllegalArgumentException("compute.precision is '" + precision + "'; use f32 or bf16");
        };
    }
}
