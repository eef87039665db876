package org.dinoj.model.backend.cuda;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.dinoj.bindings.cuda.cuda_runtime_api_h;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Device;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;

/**
 * Owner of device tensors: zero-filled (on the stream) at allocation, all returned to the caching
 * allocator by {@link #close()}. Not thread-safe.
 */
public final class CudaArena implements TensorAllocator, AutoCloseable {
    private final CachingDeviceAllocator allocator;
    private final MemorySegment stream;
    private long[] blocks = new long[16];
    private int count;
    private boolean closed;

    CudaArena(CachingDeviceAllocator allocator, MemorySegment stream) {
        this.allocator = allocator;
        this.stream = stream;
    }

    @Override
    public Tensor allocate(DType dtype, long... shape) {
        if (closed) {
            throw new IllegalStateException("allocating from a closed CUDA arena");
        }
        long bytes = Tensor.numel(shape) * dtype.byteSize();
        long address = allocator.allocate(Math.max(bytes, 1));
        if (count == blocks.length) {
            blocks = Arrays.copyOf(blocks, count * 2);
        }
        blocks[count++] = address;
        MemorySegment data = MemorySegment.ofAddress(address);
        CudaErrors.checkRuntime(cuda_runtime_api_h.cudaMemsetAsync(data, 0, bytes, stream), "cudaMemsetAsync");
        return new Tensor(data, dtype, Device.CUDA, shape, Tensor.contiguousStrides(shape));
    }

    @Override
    public void close() {
        if (!closed) {
            for (int i = 0; i < count; i++) {
                allocator.free(blocks[i]);
            }
            count = 0;
            closed = true;
        }
    }
}
