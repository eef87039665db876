package org.dinoj.model.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.dinoj.bindings.cuda.cuda_runtime_api_h;

/** cudaMalloc / cudaFree (plain device memory, never managed memory). */
final class CudaRawMemory implements RawDeviceMemory {
    private final MemorySegment out = Arena.ofAuto().allocate(ValueLayout.ADDRESS);

    @Override
    public long allocate(long bytes) {
        int status = cuda_runtime_api_h.cudaMalloc(out, bytes);
        if (status == cuda_runtime_api_h.cudaErrorMemoryAllocation()) {
            cuda_runtime_api_h.cudaGetLastError(); // not sticky: clear it so later calls do not see it
            return 0;
        }
        CudaErrors.checkRuntime(status, "cudaMalloc(" + bytes + ")");
        return out.get(ValueLayout.ADDRESS, 0).address();
    }

    @Override
    public void free(long address) {
        CudaErrors.checkRuntime(cuda_runtime_api_h.cudaFree(MemorySegment.ofAddress(address)), "cudaFree");
    }
}
