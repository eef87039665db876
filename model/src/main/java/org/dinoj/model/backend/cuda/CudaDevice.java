package org.dinoj.model.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.dinoj.bindings.cuda.cuda_h;
import org.dinoj.bindings.cuda.cuda_runtime_api_h;
import org.dinoj.nativelib.cuda.CudaLibraries;
import org.dinoj.nativelib.cuda.CudaLibrary;
import org.dinoj.nativelib.cuda.CudaLibraryNotFoundException;

/** One CUDA device made current for this process, with what the backend needs to know about it. */
public record CudaDevice(int index, int ccMajor, int ccMinor, int multiprocessors) {

    /** The number of CUDA devices, 0 when there is no driver, no device or no CUDA runtime. */
    public static int count() {
        if (librariesMissing() != null) {
            return 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
            if (cuda_runtime_api_h.cudaGetDeviceCount(count) != 0) {
                cuda_runtime_api_h.cudaGetLastError(); // clear the error: "no device" is an answer here
                return 0;
            }
            return count.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /** Why no CUDA device can be used here, or null when one can (for skip messages and errors). */
    public static String unavailableReason() {
        String missing = librariesMissing();
        if (missing != null) {
            return missing;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
            int status = cuda_runtime_api_h.cudaGetDeviceCount(count);
            if (status != 0) {
                String text = CudaErrors.cString(cuda_runtime_api_h.cudaGetErrorString(status));
                cuda_runtime_api_h.cudaGetLastError();
                return "cudaGetDeviceCount failed: " + text;
            }
            return count.get(ValueLayout.JAVA_INT, 0) > 0 ? null : "no CUDA device";
        }
    }

    /**
     * Loads the runtime, cuBLASLt, NVRTC and the driver before any binding class touches them (a
     * binding class whose library is missing would fail its static initialisation for good).
     */
    private static String librariesMissing() {
        try {
            for (CudaLibrary library : new CudaLibrary[] {CudaLibrary.CUDART, CudaLibrary.CUBLASLT, CudaLibrary.NVRTC,
                    CudaLibrary.DRIVER}) {
                CudaLibraries.lookup(library);
            }
            return null;
        } catch (CudaLibraryNotFoundException e) {
            return e.getMessage();
        }
    }

    /** Makes device {@code index} current (creating its primary context) and reads its properties. */
    public static CudaDevice open(int index) {
        String reason = unavailableReason();
        if (reason != null) {
            throw new CudaException("cannot use CUDA: " + reason, 100);
        }
        CudaErrors.checkRuntime(cuda_runtime_api_h.cudaSetDevice(index), "cudaSetDevice(" + index + ")");
        // cudaFree(NULL) forces the primary context to exist, so driver-API calls find it current.
        CudaErrors.checkRuntime(cuda_runtime_api_h.cudaFree(MemorySegment.NULL), "cudaFree(NULL)");
        CudaErrors.checkDriver(cuda_h.cuInit(0), "cuInit");
        return new CudaDevice(index, attribute(cuda_runtime_api_h.cudaDevAttrComputeCapabilityMajor(), index),
                attribute(cuda_runtime_api_h.cudaDevAttrComputeCapabilityMinor(), index),
                attribute(cuda_runtime_api_h.cudaDevAttrMultiProcessorCount(), index));
    }

    private static int attribute(int attribute, int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            CudaErrors.checkRuntime(cuda_runtime_api_h.cudaDeviceGetAttribute(value, attribute, device),
                    "cudaDeviceGetAttribute(" + attribute + ")");
            return value.get(ValueLayout.JAVA_INT, 0);
        }
    }
}
