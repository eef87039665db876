package org.dinoj.model.backend;

import java.lang.foreign.MemorySegment;
import org.dinoj.model.tensor.Device;
import org.dinoj.model.tensor.Tensor;

/** The row-by-row {@link Backend#copyRows} and its argument checks, shared by the backends. */
public final class RowCopies {
    private RowCopies() {
    }

    /** Rows of t {@code [..., D]}: the product of its leading dimensions. */
    public static long rowCount(Tensor t) {
        return t.rank() == 0 ? 1 : t.numel() / Math.max(t.size(-1), 1);
    }

    /** Checks shapes, count and every index (one sentence naming what is wrong). */
    public static void check(Tensor src, int[] srcRows, Tensor dst, int[] dstRows, int count) {
        if (src.rank() == 0 || dst.rank() == 0 || src.size(-1) != dst.size(-1)) {
            throw new IllegalArgumentException("copyRows: src " + src + " and dst " + dst
                    + " must both be [..., D] with the same D");
        }
        if (count < 0 || (srcRows != null && srcRows.length < count) || (dstRows != null && dstRows.length < count)) {
            throw new IllegalArgumentException("copyRows: " + count + " rows requested but the index arrays hold "
                    + (srcRows == null ? "-" : srcRows.length) + " and " + (dstRows == null ? "-" : dstRows.length));
        }
        checkIndices("src", srcRows, count, rowCount(src));
        checkIndices("dst", dstRows, count, rowCount(dst));
    }

    private static void checkIndices(String name, int[] rows, int count, long limit) {
        if (rows == null) {
            if (count > limit) {
                throw new IndexOutOfBoundsException("copyRows: " + count + " rows from " + name + " with " + limit + " rows");
            }
            return;
        }
        for (int i = 0; i < count; i++) {
            if (rows[i] < 0 || rows[i] >= limit) {
                throw new IndexOutOfBoundsException("copyRows: " + name + " row " + rows[i] + " at position " + i
                        + " is outside [0, " + limit + ")");
            }
        }
    }

    /** The element offset of row r of t {@code [..., D]} (rows in row-major order of the leading dims). */
    public static long rowOffset(Tensor t, long r) {
        long offset = 0;
        long rest = r;
        for (int dim = t.rank() - 2; dim >= 0; dim--) {
            long size = t.size(dim);
            offset += (rest % size) * t.stride(dim);
            rest /= size;
        }
        return offset;
    }

    /** Row r of t as a rank-1 view {@code [D]}. */
    public static Tensor row(Tensor t, long r) {
        long offset = rowOffset(t, r);
        long d = t.size(-1);
        long span = d == 0 ? 0 : (d - 1) * t.stride(-1) + 1;
        long bytes = span * t.dtype().byteSize();
        long offsetBytes = offset * t.dtype().byteSize();
        MemorySegment data = t.device() == Device.CPU
                ? t.data().asSlice(offsetBytes, bytes)
                : MemorySegment.ofAddress(t.data().address() + offsetBytes);
        return new Tensor(data, t.dtype(), t.device(), new long[] {d}, new long[] {t.stride(-1)});
    }

    static void rowByRow(Backend backend, Tensor src, int[] srcRows, Tensor dst, int[] dstRows, int count,
                         boolean add) {
        check(src, srcRows, dst, dstRows, count);
        for (int i = 0; i < count; i++) {
            Tensor from = row(src, srcRows == null ? i : srcRows[i]);
            Tensor to = row(dst, dstRows == null ? i : dstRows[i]);
            if (add) {
                backend.binary(BinaryOp.ADD, to, from, to);
            } else {
                backend.copy(from, to);
            }
        }
    }
}
