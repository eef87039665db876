package org.dinoj.model.nn;

import java.lang.foreign.MemorySegment;
import org.dinoj.model.tensor.Device;
import org.dinoj.model.tensor.Tensor;

/** Strided views the layers need beyond {@link Tensor}'s own (no copies). */
final class Views {
    private Views() {
    }

    /** A contiguous {@code [..., D]} tensor seen as {@code [rows, D]}. */
    static Tensor rows(Tensor t) {
        return t.view(-1, t.size(-1));
    }

    /** A {@code [1, ...]} tensor repeated {@code n} times along dim 0 with stride 0: {@code [n, ...]}. */
    static Tensor repeatDim0(Tensor t, long n) {
        if (t.size(0) != 1) {
            throw new IllegalArgumentException("repeat along dim 0 needs size 1 there, got " + t);
        }
        long[] shape = t.shape();
        long[] strides = t.strides();
        shape[0] = n;
        strides[0] = 0;
        return new Tensor(t.data(), t.dtype(), t.device(), shape, strides);
    }

    /**
     * A view of {@code base}'s memory starting {@code offset} elements after its first element,
     * with the given shape and strides (in elements).
     */
    static Tensor strided(Tensor base, long offset, long[] shape, long[] strides) {
        Tensor probe = new Tensor(MemorySegment.NULL, base.dtype(), Device.CUDA, shape, strides);
        long bytes = probe.spanElements() * base.dtype().byteSize();
        long offsetBytes = offset * base.dtype().byteSize();
        MemorySegment data = base.device() == Device.CPU
                ? base.data().asSlice(offsetBytes, bytes)
                : MemorySegment.ofAddress(base.data().address() + offsetBytes);
        return new Tensor(data, base.dtype(), base.device(), shape, strides);
    }
}
