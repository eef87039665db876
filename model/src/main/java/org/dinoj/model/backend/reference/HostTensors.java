package org.dinoj.model.backend.reference;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Device;
import org.dinoj.model.tensor.Tensor;

/**
 * Moves host tensors of any strides and dtype to and from double arrays in row-major logical
 * order. Offsets are walked with an odometer (one add per element, a carry at the end of each
 * dimension) rather than recomputed from a multi-index, so a strided read costs O(numel).
 */
final class HostTensors {
    private HostTensors() {
    }

    /** Element offsets of {@code shape} with {@code strides}, in row-major logical order. */
    static long[] offsets(long[] shape, long[] strides) {
        int n = checkedCount(shape);
        long[] out = new long[n];
        int rank = shape.length;
        long[] index = new long[rank];
        long offset = 0;
        for (int i = 0; i < n; i++) {
            out[i] = offset;
            for (int d = rank - 1; d >= 0; d--) {
                index[d]++;
                offset += strides[d];
                if (index[d] < shape[d]) {
                    break;
                }
                offset -= strides[d] * shape[d];
                index[d] = 0;
            }
        }
        return out;
    }

    /**
     * For every position of {@code outShape} (row-major), the row-major flat index of the matching
     * element of a contiguous array of {@code inShape}, where each dimension of {@code inShape}
     * equals the one of {@code outShape} or is 1 (broadcast, or reduced when mapping input to output).
     */
    static int[] broadcastIndex(long[] outShape, long[] inShape) {
        long[] strides = Tensor.contiguousStrides(inShape);
        for (int d = 0; d < inShape.length; d++) {
            if (inShape[d] == 1) {
                strides[d] = 0;
            }
        }
        long[] offsets = offsets(outShape, strides);
        int[] index = new int[offsets.length];
        for (int i = 0; i < offsets.length; i++) {
            index[i] = (int) offsets[i];
        }
        return index;
    }

    /** All elements of {@code t} in row-major logical order. */
    static double[] read(Tensor t) {
        long[] offsets = offsets(t.shape(), t.strides());
        MemorySegment data = t.data();
        DType dtype = t.dtype();
        double[] values = new double[offsets.length];
        for (int i = 0; i < offsets.length; i++) {
            values[i] = dtype.get(data, offsets[i]);
        }
        return values;
    }

    /** Writes {@code values} (row-major logical order) into {@code t}, rounding to its dtype. */
    static void write(Tensor t, double[] values) {
        long[] offsets = offsets(t.shape(), t.strides());
        if (offsets.length != values.length) {
            throw new IllegalStateException(values.length + " values for " + t);
        }
        MemorySegment data = t.data();
        DType dtype = t.dtype();
        for (int i = 0; i < offsets.length; i++) {
            dtype.set(data, offsets[i], values[i]);
        }
    }

    static void requireHost(String op, String name, Tensor t) {
        if (t.device() != Device.CPU) {
            throw new IllegalArgumentException(op + ": " + name + " " + t + " lives on " + t.device()
                    + ", but the reference backend reads host memory only: copy it to the host first");
        }
    }

    static void requireSameShape(String op, String nameA, Tensor a, String nameB, Tensor b) {
        if (!a.sameShape(b)) {
            throw new IllegalArgumentException(op + ": " + nameB + " " + b + " must have the shape of "
                    + nameA + " " + a);
        }
    }

    private static int checkedCount(long[] shape) {
        long n = Tensor.numel(shape);
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the reference backend handles at most 2^31 elements, not "
                    + n + " of shape " + Arrays.toString(shape));
        }
        return (int) n;
    }
}
