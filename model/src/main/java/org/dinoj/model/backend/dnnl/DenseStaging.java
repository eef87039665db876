package org.dinoj.model.backend.dnnl;

import java.lang.foreign.MemorySegment;
import org.dinoj.model.tensor.Tensor;

/**
 * Dense stand-ins for strided operands of primitives whose oneDNN kernels read rows as if they
 * were packed (layer normalization gives wrong results on row-strided views). One growing buffer
 * per slot, so a steady state allocates nothing.
 */
final class DenseStaging {
    private final DnnlRuntime runtime;
    private final MemorySegment[] slots;

    DenseStaging(DnnlRuntime runtime, int slotCount) {
        this.runtime = runtime;
        this.slots = new MemorySegment[slotCount];
    }

    /** True when t's rows are packed: each row contiguous and rows back to back. */
    static boolean isDense(Tensor t) {
        DnnlLayouts.Layout rows = DnnlLayouts.rows(t);
        return rows != null && rows.strides()[1] == 1 && rows.strides()[0] == rows.dims()[1];
    }

    /** A contiguous tensor of t's shape and dtype in {@code slot}; its contents are undefined. */
    Tensor like(int slot, Tensor t) {
        long bytes = t.numel() * t.dtype().byteSize();
        MemorySegment buffer = slots[slot];
        if (buffer == null || buffer.byteSize() < bytes) {
            buffer = runtime.allocate(bytes);
            slots[slot] = buffer;
        }
        return Tensor.of(buffer.asSlice(0, bytes), t.dtype(), t.shape());
    }
}
