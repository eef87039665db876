package org.dinoj.model.train;

import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.cuda.CudaBackend;
import org.dinoj.model.backend.dnnl.DnnlBackend;
import org.dinoj.model.backend.reference.ReferenceBackend;
import org.dinoj.model.train.config.ComputeConfig;

/** Opens the backend a {@code compute:} section names. */
public final class Backends {
    private Backends() {
    }

    /**
     * reference, dnnl or cuda with the configured matmul precision. For dnnl, a positive
     * {@code compute.threads} is the OpenMP team of its large primitives, on whichever thread runs them.
     */
    public static Backend open(ComputeConfig compute) {
        return switch (compute.backendKind()) {
            case "reference" -> new ReferenceBackend(compute.matmulPrecision());
            case "dnnl" -> new DnnlBackend(compute.matmulPrecision(), compute.threads());
            case "cuda" -> new CudaBackend(compute.matmulPrecision());
            default -> throw new IllegalStateException("unhandled backend " + compute.backendKind());
        };
    }
}
