package org.dinoj.model.train;

import org.dinoj.bindings.dnnl.omp_h;
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
     * {@code compute.threads} sets the OpenMP thread count of the calling thread, the one that
     * will run the steps.
     */
    public static Backend open(ComputeConfig compute) {
        return switch (compute.backendKind()) {
            case "reference" -> new ReferenceBackend(compute.matmulPrecision());
            case "dnnl" -> {
                DnnlBackend backend = new DnnlBackend(compute.matmulPrecision());
                if (compute.threads() > 0) {
                    omp_h.omp_set_num_threads(compute.threads());
                }
                yield backend;
            }
            case "cuda" -> new CudaBackend(compute.matmulPrecision());
            default -> throw new IllegalStateException("unhandled backend " + compute.backendKind());
        };
    }
}
