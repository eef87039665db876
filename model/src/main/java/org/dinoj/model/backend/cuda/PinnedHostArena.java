package org.dinoj.model.backend.cuda;

import static org.dinoj.bindings.cuda.cuda_runtime_api_h.cudaFreeHost;
import static org.dinoj.bindings.cuda.cuda_runtime_api_h.cudaMallocHost;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Device;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;

/**
 * Host tensors in page-locked memory (cudaMallocHost): copies between them and the device run at
 * full DMA speed instead of going through the driver's pageable bounce buffers. For upload
 * staging planned once (batch crops); page-locked memory is scarce, so not for general use.
 * Everything allocated is freed by {@link #close()}.
 */
public final class PinnedHostArena implements TensorAllocator, AutoCloseable {
    private final List<MemorySegment> blocks = new ArrayList<>();
    private boolean closed;

    @Override
    public synchronized Tensor allocate(DType dtype, long... shape) {
        if (closed) {
            throw new IllegalStateException("pinned host arena is closed: allocate staging tensors before closing it");
        }
        long bytes = Math.max(Tensor.numel(shape) * dtype.byteSize(), 1);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            CudaErrors.checkRuntime(cudaMallocHost(out, bytes), "cudaMallocHost (" + bytes + " bytes)");
            MemorySegment block = out.get(ValueLayout.ADDRESS, 0).reinterpret(bytes);
            block.fill((byte) 0);
            blocks.add(block);
            return new Tensor(block, dtype, Device.CPU, shape, Tensor.contiguousStrides(shape));
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (MemorySegment block : blocks) {
            cudaFreeHost(block);
        }
        blocks.clear();
    }
}
