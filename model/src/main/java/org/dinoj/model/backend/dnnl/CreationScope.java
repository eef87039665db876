package org.dinoj.model.backend.dnnl;

import static org.dinoj.bindings.dnnl.dnnl_h.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.dinoj.bindings.dnnl.DnnlStatus;
import org.dinoj.model.tensor.DType;

/**
 * The temporaries of creating one primitive (memory descriptors, attributes, post-ops, primitive
 * descriptors), destroyed together on {@link #close()}. Only used on a cache miss.
 */
final class CreationScope implements AutoCloseable {
    private final Arena arena = Arena.ofConfined();
    private final List<MemorySegment> memoryDescs = new ArrayList<>();
    private final List<MemorySegment> attrs = new ArrayList<>();
    private final List<MemorySegment> postOps = new ArrayList<>();
    private final List<MemorySegment> primitiveDescs = new ArrayList<>();

    /** A pointer-sized out-parameter. */
    MemorySegment out() {
        return arena.allocate(ValueLayout.ADDRESS);
    }

    /** A plain memory descriptor with explicit strides (in elements). */
    MemorySegment memoryDesc(DType dtype, long[] dims, long[] strides) {
        MemorySegment cell = out();
        MemorySegment d = arena.allocate(ValueLayout.JAVA_LONG, DNNL_MAX_NDIMS());
        MemorySegment s = arena.allocate(ValueLayout.JAVA_LONG, DNNL_MAX_NDIMS());
        MemorySegment.copy(dims, 0, d, ValueLayout.JAVA_LONG, 0, dims.length);
        MemorySegment.copy(strides, 0, s, ValueLayout.JAVA_LONG, 0, strides.length);
        DnnlStatus.check(dnnl_memory_desc_create_with_strides(cell, dims.length, d, dnnlType(dtype), s),
                "dnnl_memory_desc_create_with_strides");
        MemorySegment md = cell.get(ValueLayout.ADDRESS, 0);
        memoryDescs.add(md);
        return md;
    }

    /** Attributes with a user-managed scratchpad and, if asked, bf16 math in f32 primitives (matmul). */
    MemorySegment attr(boolean bf16Math) {
        MemorySegment cell = out();
        DnnlStatus.check(dnnl_primitive_attr_create(cell), "dnnl_primitive_attr_create");
        MemorySegment attr = cell.get(ValueLayout.ADDRESS, 0);
        attrs.add(attr);
        DnnlStatus.check(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user()),
                "dnnl_primitive_attr_set_scratchpad_mode");
        if (bf16Math) {
            DnnlStatus.check(dnnl_primitive_attr_set_fpmath_mode(attr, dnnl_fpmath_mode_bf16()),
                    "dnnl_primitive_attr_set_fpmath_mode");
        }
        return attr;
    }

    MemorySegment postOps() {
        MemorySegment cell = out();
        DnnlStatus.check(dnnl_post_ops_create(cell), "dnnl_post_ops_create");
        MemorySegment ops = cell.get(ValueLayout.ADDRESS, 0);
        postOps.add(ops);
        return ops;
    }

    /** Reads the primitive descriptor written into {@code cell} and destroys it with this scope. */
    MemorySegment primitiveDesc(MemorySegment cell) {
        MemorySegment pd = cell.get(ValueLayout.ADDRESS, 0);
        primitiveDescs.add(pd);
        return pd;
    }

    static int dnnlType(DType dtype) {
        return switch (dtype) {
            case F32 -> dnnl_f32();
            case BF16 -> dnnl_bf16();
            case F64 -> throw new IllegalArgumentException(
                    "the dnnl backend has no f64 kernels: use the reference backend for f64 tensors");
        };
    }

    @Override
    public void close() {
        for (MemorySegment pd : primitiveDescs) {
            dnnl_primitive_desc_destroy(pd);
        }
        for (MemorySegment ops : postOps) {
            dnnl_post_ops_destroy(ops);
        }
        for (MemorySegment attr : attrs) {
            dnnl_primitive_attr_destroy(attr);
        }
        for (MemorySegment md : memoryDescs) {
            dnnl_memory_desc_destroy(md);
        }
        arena.close();
    }
}
