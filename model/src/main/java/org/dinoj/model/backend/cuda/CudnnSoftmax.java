package org.dinoj.model.backend.cuda;

import static org.dinoj.bindings.cuda.cudnn_h.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.dinoj.model.tensor.DType;
import org.dinoj.nativelib.cuda.CudaLibraries;
import org.dinoj.nativelib.cuda.CudaLibrary;
import org.dinoj.nativelib.cuda.CudaLibraryNotFoundException;
import org.dinoj.model.tensor.Tensor;

/**
 * Row softmax and log-softmax, forward and backward, through cuDNN 9's legacy
 * {@code cudnnSoftmaxForward/Backward} (accurate algorithm, instance mode): a tensor
 * {@code [..., D]} is described as {@code [rows, D, 1, 1]}. Covers f32 tensors whose leading
 * dimensions collapse to one row stride and whose sizes fit an int ({@link #handles}); the
 * backend's own kernels take everything else. One handle per backend, on the backend's stream.
 */
final class CudnnSoftmax implements AutoCloseable {
    /** Environment setting: {@code dinoj} (default, dinoj's kernels) or {@code cudnn}. */
    static final String SETTING = "DINOJ_CUDA_SOFTMAX";

    private final Arena arena = Arena.ofShared();
    private final MemorySegment handle;
    private final MemorySegment xDesc;
    private final MemorySegment yDesc;
    private final MemorySegment dyDesc;
    private final MemorySegment one;
    private final MemorySegment zero;

    /**
     * @throws org.dinoj.nativelib.cuda.CudaLibraryNotFoundException when libcudnn.so.9 is not found
     * @throws CudaException when cuDNN cannot create a handle
     */
    CudnnSoftmax(MemorySegment stream) {
        MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
        check(cudnnCreate(out), "cudnnCreate");
        this.handle = out.get(ValueLayout.ADDRESS, 0);
        check(cudnnSetStream(handle, stream), "cudnnSetStream");
        this.xDesc = descriptor(out);
        this.yDesc = descriptor(out);
        this.dyDesc = descriptor(out);
        this.one = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
        this.zero = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0f);
    }

    /**
     * Loads libcudnn.so.9 up front, so that a missing cuDNN is one clear error instead of a
     * failed class initialisation of the bindings.
     *
     * @throws CudaLibraryNotFoundException naming cuDNN and where it was looked for
     */
    static void requireLibrary() {
        try {
            CudaLibraries.lookup(CudaLibrary.CUDNN);
        } catch (CudaLibraryNotFoundException e) {
            throw new CudaLibraryNotFoundException(SETTING + "=cudnn needs cuDNN 9, which is missing: " + e.getMessage()
                    + " (or unset " + SETTING + " to use dinoj's softmax kernels)");
        }
    }

    /**
     * Whether row softmax should run through cuDNN, from {@code DINOJ_CUDA_SOFTMAX} (null: unset).
     * Unset means cuDNN where libcudnn.so.9 is found: on an H100 it ran the ViT-S/14 bf16 batch-64
     * step in 263 ms against 297 ms with dinoj's kernels (docs/gpu.md). {@code cudnn} requires it
     * (a clear error when missing), {@code dinoj} keeps dinoj's kernels.
     */
    static boolean requested(String value) {
        if (value == null || value.isEmpty()) {
            return available();
        }
        if (value.equals("dinoj")) {
            return false;
        }
        if (value.equals("cudnn")) {
            requireLibrary();
            return true;
        }
        throw new IllegalArgumentException(SETTING + "=" + value + " is not a choice: use dinoj or cudnn (unset: cudnn"
                + " where found)");
    }

    /** Whether libcudnn.so.9 is found where the other CUDA libraries are looked for. */
    static boolean available() {
        try {
            CudaLibraries.lookup(CudaLibrary.CUDNN);
            return true;
        } catch (CudaLibraryNotFoundException e) {
            return false;
        }
    }

    /** The cuDNN version as its number, e.g. 92801 for 9.28.1. */
    long version() {
        return cudnnGetVersion();
    }

    /** True when every tensor is f32 {@code [rows, d]} with one row stride, unit last stride, int-sized. */
    static boolean handles(Tensor... tensors) {
        for (Tensor t : tensors) {
            long rowStride = rowStride(t);
            // Unit element stride only: the layouts cuDNN's softmax is documented and tuned for.
            if (t.dtype() != DType.F32 || rowStride < 0 || rowStride > Integer.MAX_VALUE
                    || (t.size(-1) > 1 && t.stride(-1) != 1) || t.size(-1) > Integer.MAX_VALUE
                    || t.numel() / Math.max(1, t.size(-1)) > Integer.MAX_VALUE) {
                return false;
            }
        }
        return true;
    }

    /** y = softmax(x) (or log-softmax) over the last axis; in place allowed. */
    void forward(Tensor x, Tensor y, boolean log) {
        describe(xDesc, x);
        describe(yDesc, y);
        check(cudnnSoftmaxForward(handle, log ? CUDNN_SOFTMAX_LOG() : CUDNN_SOFTMAX_ACCURATE(),
                CUDNN_SOFTMAX_MODE_INSTANCE(), one, xDesc, x.data(), zero, yDesc, y.data()), "cudnnSoftmaxForward");
    }

    /** dx from the forward output y and dy. */
    void backward(Tensor y, Tensor dy, Tensor dx, boolean log) {
        describe(yDesc, y);
        describe(dyDesc, dy);
        describe(xDesc, dx);
        check(cudnnSoftmaxBackward(handle, log ? CUDNN_SOFTMAX_LOG() : CUDNN_SOFTMAX_ACCURATE(),
                CUDNN_SOFTMAX_MODE_INSTANCE(), one, yDesc, y.data(), dyDesc, dy.data(), zero, xDesc, dx.data()),
                "cudnnSoftmaxBackward");
    }

    /** The element stride between rows when the leading dimensions collapse to one, else -1. */
    private static long rowStride(Tensor t) {
        int last = t.rank() - 1;
        long stride = -1;
        long span = 1; // rows covered by the dimensions after i
        for (int i = last - 1; i >= 0; i--) {
            if (t.size(i) == 1) {
                continue;
            }
            if (stride < 0) {
                stride = t.stride(i);
            } else if (t.stride(i) != stride * span) {
                return -1;
            }
            span *= t.size(i);
        }
        return stride < 0 ? Math.max(1, t.size(-1)) : stride;
    }

    private void describe(MemorySegment desc, Tensor t) {
        long d = t.size(-1);
        long rows = t.numel() / Math.max(1, d);
        check(cudnnSetTensor4dDescriptorEx(desc, CUDNN_DATA_FLOAT(), (int) rows, (int) d, 1, 1,
                (int) rowStride(t), 1, 1, 1), "cudnnSetTensor4dDescriptorEx " + t);
    }

    private MemorySegment descriptor(MemorySegment out) {
        check(cudnnCreateTensorDescriptor(out), "cudnnCreateTensorDescriptor");
        return out.get(ValueLayout.ADDRESS, 0);
    }

    static void check(int status, String call) {
        if (status != CUDNN_STATUS_SUCCESS()) {
            throw new CudaException(call + " failed: " + CudaErrors.cString(cudnnGetErrorString(status)), status);
        }
    }

    @Override
    public void close() {
        cudnnDestroyTensorDescriptor(xDesc);
        cudnnDestroyTensorDescriptor(yDesc);
        cudnnDestroyTensorDescriptor(dyDesc);
        cudnnDestroy(handle);
        arena.close();
    }
}
