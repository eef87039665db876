package org.dinoj.model.ssl;

import org.dinoj.model.backend.Backend;
import org.dinoj.model.tensor.Device;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;

/**
 * Reads a small backend tensor (loss partial sums, gradient norms) into a Java array. Host tensors
 * are read in place after {@link Backend#synchronize()}; device tensors go through one
 * {@link Backend#copy} into a host staging tensor planned once.
 */
final class HostReadback implements AutoCloseable {
    private final Backend backend;
    private final Tensor source;
    private final HostArena stagingArena;
    private final Tensor staging;

    /** @param source a contiguous tensor this reader will read again and again */
    HostReadback(Backend backend, Tensor source) {
        this.backend = backend;
        this.source = source;
        if (source.device() == Device.CPU) {
            stagingArena = null;
            staging = null;
        } else {
            stagingArena = new HostArena();
            staging = stagingArena.allocate(source.dtype(), source.shape());
        }
    }

    /** Fills {@code out} with the first {@code out.length} elements of the source, in row-major order. */
    void read(double[] out) {
        if (out.length > source.numel()) {
            throw new IllegalArgumentException("reading " + out.length + " values from " + source);
        }
        Tensor host = source;
        if (staging != null) {
            backend.copy(source, staging);
            host = staging;
        }
        backend.synchronize();
        for (int i = 0; i < out.length; i++) {
            out[i] = host.getFlat(i);
        }
    }

    @Override
    public void close() {
        if (stagingArena != null) {
            stagingArena.close();
        }
    }
}
