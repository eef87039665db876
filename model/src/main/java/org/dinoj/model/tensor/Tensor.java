package org.dinoj.model.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A strided view of memory: a segment that starts at the view's first element, a shape, strides
 * in elements (never negative) and a dtype. Views (reshape of contiguous data, transpose, slice)
 * share memory and copy nothing. Host tensors can be read from Java; device tensors only carry an
 * address.
 */
public final class Tensor {
    private final MemorySegment data;
    private final DType dtype;
    private final Device device;
    private final long[] shape;
    private final long[] strides;

    public Tensor(MemorySegment data, DType dtype, Device device, long[] shape, long[] strides) {
        if (shape.length != strides.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " and strides "
                    + Arrays.toString(strides) + " differ in rank");
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0 || strides[i] < 0) {
                throw new IllegalArgumentException("negative size or stride in shape "
                        + Arrays.toString(shape) + " strides " + Arrays.toString(strides));
            }
        }
        this.data = data;
        this.dtype = dtype;
        this.device = device;
        this.shape = shape.clone();
        this.strides = strides.clone();
        long needed = spanElements() * dtype.byteSize();
        if (device == Device.CPU && data.byteSize() < needed) {
            throw new IllegalArgumentException("segment of " + data.byteSize() + " bytes cannot hold a "
                    + dtype + " view of shape " + Arrays.toString(shape) + " needing " + needed + " bytes");
        }
    }

    /** A contiguous host tensor over {@code data}. */
    public static Tensor of(MemorySegment data, DType dtype, long... shape) {
        return new Tensor(data, dtype, Device.CPU, shape, contiguousStrides(shape));
    }

    public static long[] contiguousStrides(long[] shape) {
        long[] strides = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public MemorySegment data() {
        return data;
    }

    public DType dtype() {
        return dtype;
    }

    public Device device() {
        return device;
    }

    public int rank() {
        return shape.length;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code dim}; negative values count from the end. */
    public long size(int dim) {
        return shape[axis(dim)];
    }

    public long[] strides() {
        return strides.clone();
    }

    public long stride(int dim) {
        return strides[axis(dim)];
    }

    public long numel() {
        return numel(shape);
    }

    /** Elements from the first to one past the last reachable element. */
    public long spanElements() {
        if (numel() == 0) {
            return 0;
        }
        long last = 0;
        for (int i = 0; i < shape.length; i++) {
            last += (shape[i] - 1) * strides[i];
        }
        return last + 1;
    }

    public boolean isContiguous() {
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != s) {
                return false;
            }
            s *= shape[i];
        }
        return true;
    }

    public boolean sameShape(Tensor other) {
        return Arrays.equals(shape, other.shape);
    }

    /** Same data seen with another shape; one dimension may be -1. Needs contiguous data. */
    public Tensor view(long... newShape) {
        if (!isContiguous()) {
            throw new IllegalStateException("view " + Arrays.toString(newShape) + " of a non-contiguous tensor "
                    + this + ": copy it first");
        }
        long[] s = newShape.clone();
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (unknown >= 0) {
                    throw new IllegalArgumentException("more than one -1 in " + Arrays.toString(newShape));
                }
                unknown = i;
            } else {
                known *= s[i];
            }
        }
        if (unknown >= 0) {
            if (known == 0 || numel() % known != 0) {
                throw new IllegalArgumentException("cannot view " + this + " as " + Arrays.toString(newShape));
            }
            s[unknown] = numel() / known;
        }
        if (numel(s) != numel()) {
            throw new IllegalArgumentException("cannot view " + this + " as " + Arrays.toString(newShape)
                    + ": element counts differ");
        }
        return new Tensor(data, dtype, device, s, contiguousStrides(s));
    }

    /** Swaps two dimensions without copying. */
    public Tensor transpose(int dim0, int dim1) {
        int a = axis(dim0);
        int b = axis(dim1);
        long[] s = shape.clone();
        long[] st = strides.clone();
        s[a] = shape[b];
        s[b] = shape[a];
        st[a] = strides[b];
        st[b] = strides[a];
        return new Tensor(data, dtype, device, s, st);
    }

    /** Reorders dimensions without copying: result dim i is this tensor's dim {@code order[i]}. */
    public Tensor permute(int... order) {
        if (order.length != shape.length) {
            throw new IllegalArgumentException("permute " + Arrays.toString(order) + " of rank-" + shape.length + " tensor");
        }
        long[] s = new long[order.length];
        long[] st = new long[order.length];
        boolean[] seen = new boolean[order.length];
        for (int i = 0; i < order.length; i++) {
            int d = axis(order[i]);
            if (seen[d]) {
                throw new IllegalArgumentException("permute repeats dimension " + d);
            }
            seen[d] = true;
            s[i] = shape[d];
            st[i] = strides[d];
        }
        return new Tensor(data, dtype, device, s, st);
    }

    /** Elements {@code [start, start + length)} along {@code dim}, without copying. */
    public Tensor slice(int dim, long start, long length) {
        int d = axis(dim);
        if (start < 0 || length < 0 || start + length > shape[d]) {
            throw new IndexOutOfBoundsException("slice [" + start + ", " + (start + length) + ") of dim " + d
                    + " with size " + shape[d]);
        }
        long[] s = shape.clone();
        s[d] = length;
        long offsetBytes = start * strides[d] * dtype.byteSize();
        Tensor probe = new Tensor(MemorySegment.NULL, dtype, Device.CUDA, s, strides);
        long bytes = probe.spanElements() * dtype.byteSize();
        MemorySegment sliced = device == Device.CPU
                ? data.asSlice(offsetBytes, bytes)
                : MemorySegment.ofAddress(data.address() + offsetBytes);
        return new Tensor(sliced, dtype, device, s, strides);
    }

    /** Offset in elements of the element at {@code index}. */
    public long offsetOf(long... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index of rank " + index.length + " into " + this);
        }
        long off = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of " + this);
            }
            off += index[i] * strides[i];
        }
        return off;
    }

    /** Offset in elements of the element with row-major logical position {@code flat}. */
    public long offsetOfFlat(long flat) {
        long off = 0;
        for (int i = shape.length - 1; i >= 0; i--) {
            long d = shape[i];
            off += (flat % d) * strides[i];
            flat /= d;
        }
        return off;
    }

    public double get(long... index) {
        return dtype.get(hostData(), offsetOf(index));
    }

    public void set(double value, long... index) {
        dtype.set(hostData(), offsetOf(index), value);
    }

    /** Element at row-major logical position {@code flat}. */
    public double getFlat(long flat) {
        return dtype.get(hostData(), offsetOfFlat(flat));
    }

    public void setFlat(long flat, double value) {
        dtype.set(hostData(), offsetOfFlat(flat), value);
    }

    /** All elements in row-major logical order. */
    public float[] toFloatArray() {
        long n = numel();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalStateException(this + " is too large for a Java array");
        }
        float[] out = new float[(int) n];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) getFlat(i);
        }
        return out;
    }

    public double[] toDoubleArray() {
        long n = numel();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalStateException(this + " is too large for a Java array");
        }
        double[] out = new double[(int) n];
        for (int i = 0; i < out.length; i++) {
            out[i] = getFlat(i);
        }
        return out;
    }

    /** Writes {@code values} in row-major logical order. */
    public Tensor copyFrom(float[] values) {
        requireCount(values.length);
        for (int i = 0; i < values.length; i++) {
            setFlat(i, values[i]);
        }
        return this;
    }

    public Tensor copyFrom(double[] values) {
        requireCount(values.length);
        for (int i = 0; i < values.length; i++) {
            setFlat(i, values[i]);
        }
        return this;
    }

    private void requireCount(int count) {
        if (count != numel()) {
            throw new IllegalArgumentException(count + " values for " + this);
        }
    }

    private MemorySegment hostData() {
        if (device != Device.CPU) {
            throw new IllegalStateException(this + " lives on " + device + ": copy it to the host to read it");
        }
        return data;
    }

    private int axis(int dim) {
        int d = dim < 0 ? dim + shape.length : dim;
        if (d < 0 || d >= shape.length) {
            throw new IndexOutOfBoundsException("dimension " + dim + " of a rank-" + shape.length + " tensor");
        }
        return d;
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + " " + dtype + (isContiguous() ? "" : " strides " + Arrays.toString(strides))
                + (device == Device.CPU ? "" : " on " + device);
    }
}
