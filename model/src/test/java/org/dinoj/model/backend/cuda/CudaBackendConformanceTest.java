package org.dinoj.model.backend.cuda;

import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BackendConformanceTest;
import org.dinoj.model.backend.Precision;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * Every Backend op of the CUDA backend in f32 (cuBLASLt with CUBLAS_COMPUTE_32F, no TF32) against
 * the reference backend; tolerances are derived in the superclass. Operands travel through the
 * suite's toBackend/toHost hooks, which are the backend's own host/device copies. Skips, saying
 * why, where no CUDA device can be used.
 */
@Tag("gpu")
class CudaBackendConformanceTest extends BackendConformanceTest {
    @BeforeAll
    static void needDevice() {
        CudaTestDevice.assumeAvailable();
    }

    @Override
    protected Backend createBackend() {
        return new CudaBackend(Precision.F32);
    }
}
