package org.dinoj.model.backend.dnnl;

import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BackendConformanceTest;
import org.dinoj.model.backend.Precision;

/** Every Backend op of oneDNN in f32 against the reference backend (tolerances in the superclass). */
class DnnlBackendConformanceTest extends BackendConformanceTest {
    @Override
    protected Backend createBackend() {
        return new DnnlBackend(Precision.F32);
    }
}
