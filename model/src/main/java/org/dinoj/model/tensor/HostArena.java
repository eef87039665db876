package org.dinoj.model.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Owner of host tensors: everything allocated here is freed together by {@link #close()}. Every
 * allocation is counted process-wide so tests can prove that a steady-state loop allocates nothing.
 */
public final class HostArena implements TensorAllocator, AutoCloseable {
    /** Cache-line alignment: oneDNN and the JIT's vector loops prefer it. */
    private static final long ALIGNMENT = 64;
    private static final AtomicLong ALLOCATED_BYTES = new AtomicLong();
    private static final AtomicLong ALLOCATIONS = new AtomicLong();

    private final Arena arena = Arena.ofShared();

    @Override
    public Tensor allocate(DType dtype, long... shape) {
        return Tensor.of(allocateBytes(Tensor.numel(shape) * dtype.byteSize()), dtype, shape);
    }

    /** Raw zero-filled bytes owned by this arena (scratchpads, argument arrays). */
    public MemorySegment allocateBytes(long bytes) {
        ALLOCATED_BYTES.addAndGet(bytes);
        ALLOCATIONS.incrementAndGet();
        return arena.allocate(Math.max(bytes, 1), ALIGNMENT);
    }

    /** Total bytes allocated through any host arena since the JVM started. */
    public static long allocatedBytes() {
        return ALLOCATED_BYTES.get();
    }

    /** Number of allocations through any host arena since the JVM started. */
    public static long allocationCount() {
        return ALLOCATIONS.get();
    }

    @Override
    public void close() {
        arena.close();
    }
}
