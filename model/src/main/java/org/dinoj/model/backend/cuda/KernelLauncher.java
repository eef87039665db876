package org.dinoj.model.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.dinoj.bindings.cuda.cuda_h;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Tensor;

/**
 * Builds a kernel's argument list in preallocated memory (no allocation per launch) and launches
 * it on the backend's stream. cuLaunchKernel copies the arguments, so the buffers are reused at
 * once. One launcher per backend; not thread-safe.
 */
final class KernelLauncher {
    private static final int MAX_ARGS = 64;
    private static final long VALUE_BYTES = 8192;

    private final CudaKernels kernels;
    private final MemorySegment stream;
    private final MemorySegment values;
    private final MemorySegment pointers;
    private int count;
    private long used;
    private long launches;

    KernelLauncher(Arena arena, CudaKernels kernels, MemorySegment stream) {
        this.kernels = kernels;
        this.stream = stream;
        this.values = arena.allocate(VALUE_BYTES, 16);
        this.pointers = arena.allocate(ValueLayout.ADDRESS, MAX_ARGS);
    }

    KernelLauncher begin() {
        count = 0;
        used = 0;
        return this;
    }

    private long slot(long bytes, long alignment) {
        long at = (used + alignment - 1) / alignment * alignment;
        if (at + bytes > VALUE_BYTES || count == MAX_ARGS) {
            throw new IllegalStateException("kernel argument list too long");
        }
        used = at + bytes;
        pointers.setAtIndex(ValueLayout.ADDRESS, count++, values.asSlice(at, bytes));
        return at;
    }

    KernelLauncher i32(int value) {
        values.set(ValueLayout.JAVA_INT, slot(4, 4), value);
        return this;
    }

    KernelLauncher i64(long value) {
        values.set(ValueLayout.JAVA_LONG, slot(8, 8), value);
        return this;
    }

    KernelLauncher f32(float value) {
        values.set(ValueLayout.JAVA_FLOAT, slot(4, 4), value);
        return this;
    }

    KernelLauncher pointer(long address) {
        values.set(ValueLayout.JAVA_LONG, slot(8, 8), address);
        return this;
    }

    /** Pointer, dtype code and full descriptor of t (the kernels' {@code ptr, int, Desc} triple). */
    KernelLauncher tensor(Tensor t) {
        pointer(t.data().address());
        i32(dtypeCode(t));
        TensorDesc.write(values, slot(TensorDesc.BYTES, 8), t);
        return this;
    }

    /** Just t's descriptor. */
    KernelLauncher desc(Tensor t) {
        TensorDesc.write(values, slot(TensorDesc.BYTES, 8), t);
        return this;
    }

    /** A descriptor of explicit shape and strides (not contiguous-flagged). */
    KernelLauncher desc(long[] shape, long[] strides, int rank) {
        TensorDesc.write(values, slot(TensorDesc.BYTES, 8), shape, strides, rank, false);
        return this;
    }

    /**
     * Pointer, dtype code, descriptor of the leading dimensions (row r starts at offset_of(rows, r))
     * and the last axis' stride: the row kernels' view of a [..., D] tensor.
     */
    KernelLauncher rows(Tensor t) {
        pointer(t.data().address());
        i32(dtypeCode(t));
        rowDesc(t);
        i64(t.rank() == 0 ? 1 : t.stride(-1));
        return this;
    }

    /** Descriptor of t's leading dimensions (all but the last). */
    KernelLauncher rowDesc(Tensor t) {
        int rank = Math.max(t.rank() - 1, 0);
        TensorDesc.write(values, slot(TensorDesc.BYTES, 8), t.shape(), t.strides(), rank, false);
        return this;
    }

    /** Launches a 1-D grid of {@code grid} blocks of {@code block} threads. */
    void launch(Kernel kernel, long grid, int block) {
        launch(kernel, grid, 1, block);
    }

    void launch(Kernel kernel, long gridX, long gridY, int block) {
        if (gridX <= 0 || gridY <= 0) {
            return;
        }
        int rc = cuda_h.cuLaunchKernel(kernels.function(kernel), (int) Math.min(gridX, Integer.MAX_VALUE),
                (int) gridY, 1, block, 1, 1, 0, stream, pointers, MemorySegment.NULL);
        launches++;
        if (rc != 0) { // the message is built only on failure: no string per launch
            CudaErrors.checkDriver(rc, "cuLaunchKernel " + kernel.symbol);
        }
    }

    /** Kernels launched so far. */
    long launches() {
        return launches;
    }

    static int dtypeCode(Tensor t) {
        return switch (t.dtype()) {
            case F32 -> 0;
            case BF16 -> 1;
            case F64 -> throw new IllegalArgumentException("the CUDA backend has no F64 kernels: " + t
                    + " (F64 exists for the reference backend's finite-difference checks)");
        };
    }

    static boolean isFloat32(Tensor t) {
        return t.dtype() == DType.F32;
    }
}
