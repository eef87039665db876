package org.dinoj.model.backend.reference;

import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BackendConformanceTest;
import org.dinoj.model.backend.Precision;

/**
 * Runs the conformance suite with the reference backend as the backend under test. The reference
 * cannot disagree with itself numerically; this proves the suite itself runs end to end (uploads,
 * views on both sides, tolerance scales) in both precisions, so a backend's subclass only fails for
 * its own reasons. The reference's numerics are checked by ReferenceBackendTest (hand-computed) and
 * ReferenceBackendGradientTest (finite differences); the suite's power to catch errors by
 * BackendConformanceSensitivityTest.
 */
class ReferenceBackendConformanceTest extends BackendConformanceTest {
    @Override
    protected Backend createBackend() {
        return new ReferenceBackend(Precision.F32);
    }
}
