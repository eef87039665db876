package org.dinoj.model.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.dinoj.bindings.cuda.cublasLt_h;
import org.dinoj.bindings.cuda.cuda_h;
import org.dinoj.bindings.cuda.cuda_runtime_api_h;
import org.dinoj.bindings.cuda.nvrtc_h;

/** Turns the status codes of the CUDA libraries into {@link CudaException}s with the libraries' own text. */
final class CudaErrors {
    private CudaErrors() {
    }

    static void checkRuntime(int status, String call) {
        if (status != 0) {
            throw new CudaException(call + " failed: " + cString(cuda_runtime_api_h.cudaGetErrorName(status)) + " ("
                    + cString(cuda_runtime_api_h.cudaGetErrorString(status)) + ")", status);
        }
    }

    static void checkDriver(int status, String call) {
        if (status != 0) {
            String text;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
                text = cuda_h.cuGetErrorString(status, out) == 0
                        ? cString(out.get(ValueLayout.ADDRESS, 0)) : "CUresult " + status;
            }
            throw new CudaException(call + " failed: " + text, status);
        }
    }

    static void checkCublas(int status, String call) {
        if (status != 0) {
            throw new CudaException(call + " failed: " + cString(cublasLt_h.cublasLtGetStatusName(status)) + " ("
                    + cString(cublasLt_h.cublasLtGetStatusString(status)) + ")", status);
        }
    }

    static void checkNvrtc(int status, String call) {
        if (status != 0) {
            throw new CudaException(call + " failed: " + cString(nvrtc_h.nvrtcGetErrorString(status)), status);
        }
    }

    static String cString(MemorySegment pointer) {
        if (pointer.equals(MemorySegment.NULL)) {
            return "(no text)";
        }
        return pointer.reinterpret(4096).getString(0);
    }
}
