package org.dinoj.model.backend.dnnl;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.dinoj.model.backend.BinaryOp;

/**
 * Memory-bound element-wise loops the backend runs on the Java side, over packed f32 host
 * memory. Each works on blocks copied into float[] scratch with bulk copies: plain array loops are
 * what the JIT reliably vectorises, unlike per-element MemorySegment accesses.
 */
final class HostLoops {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Floats per block: a few blocks stay in L1/L2. */
    static final int BLOCK = 4096;
    /** Per-thread scratch: the backend is single-threaded, AdamW's helper thread has its own. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[4][BLOCK]);

    private HostLoops() {
    }

    /** Four float[BLOCK] buffers owned by the calling thread. */
    static float[][] scratch() {
        return SCRATCH.get();
    }

    /** {@code out[i] = alpha * x[i] + beta} for {@code i < n}; x and out packed f32 (may alias). */
    static void linear(MemorySegment x, float alpha, float beta, MemorySegment out, long n) {
        float[] buf = scratch()[0];
        for (long base = 0; base < n; base += BLOCK) {
            int len = (int) Math.min(BLOCK, n - base);
            MemorySegment.copy(x, F32, base * Float.BYTES, buf, 0, len);
            for (int i = 0; i < len; i++) {
                buf[i] = alpha * buf[i] + beta;
            }
            MemorySegment.copy(buf, 0, out, F32, base * Float.BYTES, len);
        }
    }

    /**
     * Per row of x {@code [rows, d]} (packed f32): {@code norm[r] = ||x_r||_2} and
     * {@code y_r = x_r / max(norm[r], eps)}; y may alias x. Float sums: d is a head width
     * (hundreds), where f32 accumulation error stays near 1e-6 relative.
     */
    static void l2NormalizeRows(MemorySegment x, float eps, MemorySegment y, MemorySegment norm, long rows, int d) {
        float[] row = rowBuffer(d, 0);
        for (long r = 0; r < rows; r++) {
            long offset = r * d * Float.BYTES;
            MemorySegment.copy(x, F32, offset, row, 0, d);
            float sumSq = 0;
            for (int i = 0; i < d; i++) {
                sumSq += row[i] * row[i];
            }
            float n = (float) Math.sqrt(sumSq);
            float inv = 1f / Math.max(n, eps);
            for (int i = 0; i < d; i++) {
                row[i] *= inv;
            }
            MemorySegment.copy(row, 0, y, F32, offset, d);
            norm.setAtIndex(F32, r, n);
        }
    }

    /**
     * dx {@code [rows, d]} of {@link #l2NormalizeRows} from its y, norm and dy (packed f32; dx may
     * alias dy): {@code dx = (dy - y (y . dy)) / norm}, or {@code dy / eps} where the norm was
     * clamped to eps.
     */
    static void l2NormalizeRowsBackward(MemorySegment y, MemorySegment norm, float eps, MemorySegment dy,
                                        MemorySegment dx, long rows, int d) {
        float[] yRow = rowBuffer(d, 0);
        float[] dyRow = rowBuffer(d, 1);
        for (long r = 0; r < rows; r++) {
            long offset = r * d * Float.BYTES;
            float n = norm.getAtIndex(F32, r);
            MemorySegment.copy(dy, F32, offset, dyRow, 0, d);
            if (n > eps) {
                MemorySegment.copy(y, F32, offset, yRow, 0, d);
                float dot = 0;
                for (int i = 0; i < d; i++) {
                    dot += yRow[i] * dyRow[i];
                }
                float inv = 1f / n;
                for (int i = 0; i < d; i++) {
                    dyRow[i] = (dyRow[i] - yRow[i] * dot) * inv;
                }
            } else {
                // The clamp makes the denominator the constant eps: no projection term.
                float inv = 1f / eps;
                for (int i = 0; i < d; i++) {
                    dyRow[i] *= inv;
                }
            }
            MemorySegment.copy(dyRow, 0, dx, F32, offset, d);
        }
    }

    /**
     * dx {@code [rows, d]} of a softmax over the last axis from its output y and dy (packed f32; dx
     * may alias dy): {@code dx = y * (dy - y . dy)}. Moves whole blocks of rows at a time: the
     * attention rows are short (one per query and head, d = tokens), and a bulk copy per row of 50
     * costs as much as the arithmetic. The dot is summed in double.
     */
    static void softmaxRowsBackward(MemorySegment y, MemorySegment dy, MemorySegment dx, long rows, int d) {
        int rowsPerBlock = Math.max(1, BLOCK / d);
        float[] yBlock = rowBuffer(rowsPerBlock * d, 0);
        float[] dyBlock = rowBuffer(rowsPerBlock * d, 1);
        for (long first = 0; first < rows; first += rowsPerBlock) {
            int count = (int) Math.min(rowsPerBlock, rows - first);
            long offset = first * d * Float.BYTES;
            int len = count * d;
            MemorySegment.copy(y, F32, offset, yBlock, 0, len);
            MemorySegment.copy(dy, F32, offset, dyBlock, 0, len);
            for (int r = 0, base = 0; r < count; r++, base += d) {
                double dot = 0;
                for (int i = base; i < base + d; i++) {
                    dot += yBlock[i] * dyBlock[i];
                }
                float shift = (float) dot;
                for (int i = base; i < base + d; i++) {
                    dyBlock[i] = yBlock[i] * (dyBlock[i] - shift);
                }
            }
            MemorySegment.copy(dyBlock, 0, dx, F32, offset, len);
        }
    }

    /**
     * {@code out[j] = a[j] op b} for blocks {@code j < blocks} of {@code inner} packed f32 each, the
     * blocks of a and out at their own strides (in elements); out may alias a. One f32 operation per
     * element, as the reference backend computes it (max and min as Java's, NaN included).
     */
    static void binaryBlocks(BinaryOp op, MemorySegment a, long aStride, MemorySegment b, MemorySegment out,
                             long outStride, long blocks, int inner) {
        float[] x = rowBuffer(inner, 0);
        float[] y = rowBuffer(inner, 1);
        MemorySegment.copy(b, F32, 0, y, 0, inner);
        for (long j = 0; j < blocks; j++) {
            MemorySegment.copy(a, F32, j * aStride * Float.BYTES, x, 0, inner);
            switch (op) {
                case ADD -> {
                    for (int i = 0; i < inner; i++) {
                        x[i] += y[i];
                    }
                }
                case SUB -> {
                    for (int i = 0; i < inner; i++) {
                        x[i] -= y[i];
                    }
                }
                case MUL -> {
                    for (int i = 0; i < inner; i++) {
                        x[i] *= y[i];
                    }
                }
                case DIV -> {
                    for (int i = 0; i < inner; i++) {
                        x[i] /= y[i];
                    }
                }
                case MAX -> {
                    for (int i = 0; i < inner; i++) {
                        x[i] = Math.max(x[i], y[i]);
                    }
                }
                case MIN -> {
                    for (int i = 0; i < inner; i++) {
                        x[i] = Math.min(x[i], y[i]);
                    }
                }
            }
            MemorySegment.copy(x, 0, out, F32, j * outStride * Float.BYTES, inner);
        }
    }

    /** {@code dst[to + i] += src[from + i]} for {@code i < d}; offsets in bytes, rows packed f32. */
    static void addRow(MemorySegment src, long from, MemorySegment dst, long to, int d) {
        float[] a = rowBuffer(d, 0);
        float[] b = rowBuffer(d, 1);
        MemorySegment.copy(src, F32, from, a, 0, d);
        MemorySegment.copy(dst, F32, to, b, 0, d);
        for (int i = 0; i < d; i++) {
            b[i] += a[i];
        }
        MemorySegment.copy(b, 0, dst, F32, to, d);
    }

    private static float[] rowBuffer(int d, int slot) {
        float[][] s = scratch();
        if (s[slot].length < d) {
            s[slot] = new float[d];
        }
        return s[slot];
    }
}
