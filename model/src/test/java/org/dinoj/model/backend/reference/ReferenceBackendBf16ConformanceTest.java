package org.dinoj.model.backend.reference;

import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BackendConformanceTest;
import org.dinoj.model.backend.Precision;

/** The conformance suite's bf16-precision path (matmul tolerance from bf16 roundoff), run on the reference. */
class ReferenceBackendBf16ConformanceTest extends BackendConformanceTest {
    @Override
    protected Backend createBackend() {
        return new ReferenceBackend(Precision.BF16);
    }
}
