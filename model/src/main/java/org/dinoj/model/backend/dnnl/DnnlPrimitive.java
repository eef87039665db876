package org.dinoj.model.backend.dnnl;

import static org.dinoj.bindings.dnnl.dnnl_h.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.dinoj.bindings.dnnl.DnnlStatus;
import org.dinoj.bindings.dnnl.dnnl_exec_arg_t;

/**
 * A cached oneDNN primitive with everything its execution needs, created once: one memory object
 * per argument (re-pointed at each call's tensors with {@code dnnl_memory_set_data_handle}), the
 * {@code dnnl_exec_arg_t} array, and a scratchpad memory object re-pointed at the shared buffer.
 */
final class DnnlPrimitive implements AutoCloseable {
    private final MemorySegment primitive;
    private final MemorySegment[] memories;
    private final MemorySegment scratchpadMemory;
    private final long scratchpadBytes;
    private final MemorySegment execArgs;
    private final int nargs;
    /** Implementation name reported by oneDNN, e.g. "brg_matmul:avx512_core_amx". */
    private final String implementation;
    private final boolean isReference;
    /** Where executions are timed (DINOJ_PROFILE=1), else null. */
    private OpProfile.Entry profile;

    /**
     * Creates the primitive of {@code pd} with a memory object per entry of {@code argIds}, each
     * described by the matching entry of {@code memoryDescs}.
     */
    DnnlPrimitive(DnnlRuntime runtime, CreationScope scope, MemorySegment pd, int[] argIds, MemorySegment[] memoryDescs) {
        MemorySegment cell = scope.out();
        MemorySegment scratchMd = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md(), 0);
        scratchpadBytes = scratchMd.equals(MemorySegment.NULL) ? 0 : dnnl_memory_desc_get_size(scratchMd);
        DnnlStatus.check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str(), 0, cell), "dnnl_primitive_desc_query");
        implementation = cell.get(ValueLayout.ADDRESS, 0).reinterpret(256).getString(0);
        isReference = implementation.startsWith("ref");

        memories = new MemorySegment[argIds.length];
        nargs = argIds.length + (scratchpadBytes > 0 ? 1 : 0);
        execArgs = runtime.allocate(dnnl_exec_arg_t.sizeof() * nargs);
        MemorySegment scratch = MemorySegment.NULL;
        try {
            for (int i = 0; i < argIds.length; i++) {
                memories[i] = createMemory(runtime, memoryDescs[i], cell);
                setArg(i, argIds[i], memories[i]);
            }
            if (scratchpadBytes > 0) {
                scratch = createMemory(runtime, scratchMd, cell);
                setArg(argIds.length, DNNL_ARG_SCRATCHPAD(), scratch);
            }
            DnnlStatus.check(dnnl_primitive_create(cell, pd), "dnnl_primitive_create");
        } catch (RuntimeException e) {
            destroyMemories(scratch);
            throw e;
        }
        scratchpadMemory = scratch;
        primitive = cell.get(ValueLayout.ADDRESS, 0);
    }

    private static MemorySegment createMemory(DnnlRuntime runtime, MemorySegment md, MemorySegment cell) {
        DnnlStatus.check(dnnl_memory_create(cell, md, runtime.engine(), MemorySegment.NULL), "dnnl_memory_create");
        return cell.get(ValueLayout.ADDRESS, 0);
    }

    private void setArg(int index, int argId, MemorySegment memory) {
        MemorySegment slot = dnnl_exec_arg_t.asSlice(execArgs, index);
        dnnl_exec_arg_t.arg(slot, argId);
        dnnl_exec_arg_t.memory(slot, memory);
    }

    /** Points argument {@code slot} (its index in the creation's argIds) at {@code data}. */
    void bind(int slot, MemorySegment data) {
        DnnlStatus.check(dnnl_memory_set_data_handle(memories[slot], data), "dnnl_memory_set_data_handle");
    }

    /** Runs the primitive on the bound tensors and waits for it. */
    void execute(DnnlRuntime runtime) {
        long t0 = profile != null ? System.nanoTime() : 0;
        if (scratchpadBytes > 0) {
            DnnlStatus.check(dnnl_memory_set_data_handle(scratchpadMemory, runtime.scratchpad(scratchpadBytes)),
                    "dnnl_memory_set_data_handle");
        }
        DnnlStatus.check(dnnl_primitive_execute(primitive, runtime.stream(), nargs, execArgs), "dnnl_primitive_execute");
        DnnlStatus.check(dnnl_stream_wait(runtime.stream()), "dnnl_stream_wait");
        if (profile != null) {
            profile.add(System.nanoTime() - t0);
        }
    }

    void profileInto(OpProfile.Entry entry) {
        this.profile = entry;
    }

    String implementation() {
        return implementation;
    }

    /** True for oneDNN's reference kernels ("ref:any", ...): what it runs when no jit kernel fits. */
    boolean isReference() {
        return isReference;
    }

    private void destroyMemories(MemorySegment scratch) {
        for (MemorySegment m : memories) {
            if (m != null) {
                dnnl_memory_destroy(m);
            }
        }
        if (!scratch.equals(MemorySegment.NULL)) {
            dnnl_memory_destroy(scratch);
        }
    }

    @Override
    public void close() {
        dnnl_primitive_destroy(primitive);
        destroyMemories(scratchpadMemory);
    }
}
