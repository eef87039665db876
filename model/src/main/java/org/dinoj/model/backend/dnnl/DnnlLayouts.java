package org.dinoj.model.backend.dnnl;

import org.dinoj.model.tensor.Tensor;

/** Shapes and strides of tensors as oneDNN memory descriptors take them (dims, strides in elements). */
final class DnnlLayouts {
    private DnnlLayouts() {
    }

    /** dims and strides of one descriptor. */
    record Layout(long[] dims, long[] strides) {
    }

    /** The tensor as it is; a scalar (rank 0) becomes {@code [1]}. */
    static Layout of(Tensor t) {
        if (t.rank() == 0) {
            return new Layout(new long[] {1}, new long[] {1});
        }
        return new Layout(t.shape(), normalized(t.shape(), t.strides()));
    }

    /** {@code [numel]} with stride 1: the layout of element-wise ops over contiguous tensors. */
    static Layout flat(Tensor t) {
        return new Layout(new long[] {t.numel()}, new long[] {1});
    }

    /** Whether all tensors are contiguous and of one shape, so they can be seen as flat vectors. */
    static boolean allContiguousSameShape(Tensor first, Tensor... others) {
        if (!first.isContiguous()) {
            return false;
        }
        for (Tensor t : others) {
            if (!t.isContiguous() || !t.sameShape(first)) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code [rows, last]} when the leading dimensions collapse into rows with one stride, else
     * null. A rank-1 tensor is one row.
     */
    static Layout rows(Tensor t) {
        int r = t.rank();
        if (r == 0) {
            return new Layout(new long[] {1, 1}, new long[] {1, 1});
        }
        long last = t.size(-1);
        long lastStride = last == 1 ? 1 : t.stride(-1);
        long rows = 1;
        for (int i = 0; i < r - 1; i++) {
            rows *= t.size(i);
        }
        long rowStride = collapsedStride(t.shape(), t.strides(), r - 2);
        if (rowStride < 0) {
            return null;
        }
        if (rows == 1 || rowStride == 0) {
            rowStride = last * lastStride;
        }
        return new Layout(new long[] {rows, last}, new long[] {rowStride, lastStride});
    }

    /**
     * The stride of dims {@code [0, end]} seen as one dimension, or -1 when they are not evenly
     * strided. Size-1 dimensions do not matter; 0 when all are size 1.
     */
    static long collapsedStride(long[] dims, long[] strides, int end) {
        long stride = 0;
        long expect = -1;
        for (int i = end; i >= 0; i--) {
            if (dims[i] == 1) {
                continue;
            }
            if (expect < 0) {
                stride = strides[i];
                expect = strides[i] * dims[i];
            } else if (strides[i] != expect) {
                return -1;
            } else {
                expect *= dims[i];
            }
        }
        return stride;
    }

    /**
     * Strides with every size-1 dimension given the span of the dimensions inside it, as a
     * contiguous tensor would have: its stride is never read, and oneDNN's layout checks prefer
     * dense-looking values.
     */
    static long[] normalized(long[] dims, long[] strides) {
        long[] out = strides.clone();
        long span = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            if (dims[i] == 1) {
                out[i] = span;
            } else {
                span = Math.max(span, out[i] * dims[i]);
            }
        }
        return out;
    }

    /** Prepends size-1 dimensions up to {@code rank}. */
    static Layout padded(Tensor t, int rank) {
        long[] dims = new long[rank];
        long[] strides = new long[rank];
        int offset = rank - t.rank();
        for (int i = 0; i < rank; i++) {
            dims[i] = i < offset ? 1 : t.size(i - offset);
            strides[i] = i < offset ? 1 : t.stride(i - offset);
        }
        return new Layout(dims, normalized(dims, strides));
    }

    /** Dense row-major strides of {@code dims}. */
    static long[] dense(long[] dims) {
        return Tensor.contiguousStrides(dims);
    }
}
