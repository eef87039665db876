package org.dinoj.model.backend.cuda;

import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BackendConformanceTest;
import org.dinoj.model.backend.Precision;
import org.dinoj.nativelib.cuda.CudaLibraries;
import org.dinoj.nativelib.cuda.CudaLibrary;
import org.dinoj.nativelib.cuda.CudaLibraryNotFoundException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * The conformance suite on the CUDA backend with row softmax through cuDNN
 * ({@code DINOJ_CUDA_SOFTMAX=cudnn}): its softmax cases (contiguous, strided and in-place rows,
 * log and plain, forward and backward) run cuDNN where {@link CudnnSoftmax#handles} covers them.
 * Skips, saying why, without a device or without libcudnn.so.9.
 */
@Tag("gpu")
class CudaBackendCudnnSoftmaxConformanceTest extends BackendConformanceTest {
    @BeforeAll
    static void needDeviceAndCudnn() {
        CudaTestDevice.assumeAvailable();
        try {
            CudaLibraries.lookup(CudaLibrary.CUDNN);
        } catch (CudaLibraryNotFoundException e) {
            System.out.println("skipping the cuDNN softmax conformance: " + e.getMessage());
            Assumptions.abort("cuDNN not found: " + e.getMessage());
        }
    }

    @Override
    protected Backend createBackend() {
        return new CudaBackend(Precision.F32, 0, true);
    }
}
