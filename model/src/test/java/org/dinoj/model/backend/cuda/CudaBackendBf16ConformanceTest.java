package org.dinoj.model.backend.cuda;

import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BackendConformanceTest;
import org.dinoj.model.backend.Precision;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * The CUDA backend with bf16 matmuls (both operands rounded to bf16 on the device, f32
 * accumulation in cuBLASLt) against the bf16-rounding reference; the bf16 tolerance is derived in
 * the superclass, every other op keeps the f32 one. Skips where no CUDA device can be used.
 */
@Tag("gpu")
class CudaBackendBf16ConformanceTest extends BackendConformanceTest {
    @BeforeAll
    static void needDevice() {
        CudaTestDevice.assumeAvailable();
    }

    @Override
    protected Backend createBackend() {
        return new CudaBackend(Precision.BF16);
    }
}
