package org.dinoj.model.backend.cuda;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.dinoj.model.tensor.Tensor;

/**
 * Packs the kernels' {@code struct Desc} (dinoj_common.cuh): {@code long long shape[8], stride[8];
 * int rank; int contiguous;} = 136 bytes, 8-byte aligned.
 */
final class TensorDesc {
    static final int MAX_RANK = 8;
    static final long BYTES = 2 * MAX_RANK * 8 + 8;
    private static final long RANK_OFFSET = 2 * MAX_RANK * 8;

    private TensorDesc() {
    }

    /** Writes the descriptor of all of t's dimensions at {@code offset}. */
    static void write(MemorySegment to, long offset, Tensor t) {
        write(to, offset, t.shape(), t.strides(), t.rank(), t.isContiguous());
    }

    /** Writes a descriptor of the first {@code rank} entries of shape and strides. */
    static void write(MemorySegment to, long offset, long[] shape, long[] strides, int rank, boolean contiguous) {
        if (rank > MAX_RANK) {
            throw new IllegalArgumentException("CUDA kernels take tensors of rank <= " + MAX_RANK + ", got rank " + rank);
        }
        for (int i = 0; i < MAX_RANK; i++) {
            to.set(ValueLayout.JAVA_LONG, offset + i * 8L, i < rank ? shape[i] : 1);
            to.set(ValueLayout.JAVA_LONG, offset + (MAX_RANK + i) * 8L, i < rank ? strides[i] : 0);
        }
        to.set(ValueLayout.JAVA_INT, offset + RANK_OFFSET, rank);
        to.set(ValueLayout.JAVA_INT, offset + RANK_OFFSET + 4, contiguous ? 1 : 0);
    }
}
