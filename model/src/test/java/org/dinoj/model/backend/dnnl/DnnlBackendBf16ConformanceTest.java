package org.dinoj.model.backend.dnnl;

import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BackendConformanceTest;
import org.dinoj.model.backend.Precision;

/**
 * oneDNN with bf16 matmuls (fpmath mode bf16, AMX where present) against the bf16-rounding
 * reference; the bf16 tolerance is derived in the superclass.
 */
class DnnlBackendBf16ConformanceTest extends BackendConformanceTest {
    @Override
    protected Backend createBackend() {
        return new DnnlBackend(Precision.BF16);
    }
}
