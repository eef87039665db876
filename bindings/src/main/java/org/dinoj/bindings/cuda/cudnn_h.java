// Bindings for cudnn_graph.h and cudnn_ops.h (cuDNN 9) in the shape jextract generates (see
// bindings/jextract/cuda-README.md); the one difference: symbols come from CudaLibraries, which
// locates libcudnn.so.9 first. All functions are exported by libcudnn.so.9 itself (the front
// library that loads libcudnn_ops/_graph on demand).
package org.dinoj.bindings.cuda;

import static org.dinoj.bindings.cuda.CudaTypes.*;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import org.dinoj.nativelib.cuda.CudaLibraries;
import org.dinoj.nativelib.cuda.CudaLibrary;

/** cuDNN 9 (libcudnn.so.9): handle, stream, tensor descriptors and the legacy softmax. */
@SuppressWarnings("unused")
public final class cudnn_h {
    private cudnn_h() {
    }

    static MemorySegment findOrThrow(String symbol) {
        return CudaLibraries.lookup(CudaLibrary.CUDNN).find(symbol).orElseThrow(() ->
                new UnsatisfiedLinkError("symbol " + symbol + " not found in " + CudaLibrary.CUDNN.name()));
    }

    /** {@code CUDNN_STATUS_SUCCESS} */
    public static int CUDNN_STATUS_SUCCESS() {
        return 0;
    }

    /** {@code CUDNN_DATA_FLOAT} */
    public static int CUDNN_DATA_FLOAT() {
        return 0;
    }

    /** {@code CUDNN_DATA_DOUBLE} */
    public static int CUDNN_DATA_DOUBLE() {
        return 1;
    }

    /** {@code CUDNN_DATA_BFLOAT16} */
    public static int CUDNN_DATA_BFLOAT16() {
        return 9;
    }

    /** {@code CUDNN_SOFTMAX_FAST} */
    public static int CUDNN_SOFTMAX_FAST() {
        return 0;
    }

    /** {@code CUDNN_SOFTMAX_ACCURATE} */
    public static int CUDNN_SOFTMAX_ACCURATE() {
        return 1;
    }

    /** {@code CUDNN_SOFTMAX_LOG} */
    public static int CUDNN_SOFTMAX_LOG() {
        return 2;
    }

    /** {@code CUDNN_SOFTMAX_MODE_INSTANCE} */
    public static int CUDNN_SOFTMAX_MODE_INSTANCE() {
        return 0;
    }

    /** {@code CUDNN_SOFTMAX_MODE_CHANNEL} */
    public static int CUDNN_SOFTMAX_MODE_CHANNEL() {
        return 1;
    }

    /** {@code CUDNN_DIM_MAX} */
    public static int CUDNN_DIM_MAX() {
        return 8;
    }

    private static final class cudnnGetVersion {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_LONG);
        static final MemorySegment ADDR = findOrThrow("cudnnGetVersion");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cudnnGetVersion$descriptor() {
        return cudnnGetVersion.DESC;
    }

    public static MethodHandle cudnnGetVersion$handle() {
        return cudnnGetVersion.HANDLE;
    }

    public static MemorySegment cudnnGetVersion$address() {
        return cudnnGetVersion.ADDR;
    }

    public static long cudnnGetVersion() {
        var mh$ = cudnnGetVersion.HANDLE;
        try {
            return (long) mh$.invokeExact();
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cudnnGetCudartVersion {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_LONG);
        static final MemorySegment ADDR = findOrThrow("cudnnGetCudartVersion");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cudnnGetCudartVersion$descriptor() {
        return cudnnGetCudartVersion.DESC;
    }

    public static MethodHandle cudnnGetCudartVersion$handle() {
        return cudnnGetCudartVersion.HANDLE;
    }

    public static MemorySegment cudnnGetCudartVersion$address() {
        return cudnnGetCudartVersion.ADDR;
    }

    public static long cudnnGetCudartVersion() {
        var mh$ = cudnnGetCudartVersion.HANDLE;
        try {
            return (long) mh$.invokeExact();
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cudnnGetErrorString {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_INT);
        static final MemorySegment ADDR = findOrThrow("cudnnGetErrorString");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cudnnGetErrorString$descriptor() {
        return cudnnGetErrorString.DESC;
    }

    public static MethodHandle cudnnGetErrorString$handle() {
        return cudnnGetErrorString.HANDLE;
    }

    public static MemorySegment cudnnGetErrorString$address() {
        return cudnnGetErrorString.ADDR;
    }

    public static MemorySegment cudnnGetErrorString(int status) {
        var mh$ = cudnnGetErrorString.HANDLE;
        try {
            return (MemorySegment) mh$.invokeExact(status);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cudnnCreate {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MemorySegment ADDR = findOrThrow("cudnnCreate");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cudnnCreate$descriptor() {
        return cudnnCreate.DESC;
    }

    public static MethodHandle cudnnCreate$handle() {
        return cudnnCreate.HANDLE;
    }

    public static MemorySegment cudnnCreate$address() {
        return cudnnCreate.ADDR;
    }

    public static int cudnnCreate(MemorySegment handle) {
        var mh$ = cudnnCreate.HANDLE;
        try {
            return (int) mh$.invokeExact(handle);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cudnnDestroy {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MemorySegment ADDR = findOrThrow("cudnnDestroy");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cudnnDestroy$descriptor() {
        return cudnnDestroy.DESC;
    }

    public static MethodHandle cudnnDestroy$handle() {
        return cudnnDestroy.HANDLE;
    }

    public static MemorySegment cudnnDestroy$address() {
        return cudnnDestroy.ADDR;
    }

    public static int cudnnDestroy(MemorySegment handle) {
        var mh$ = cudnnDestroy.HANDLE;
        try {
            return (int) mh$.invokeExact(handle);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cudnnSetStream {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MemorySegment ADDR = findOrThrow("cudnnSetStream");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cudnnSetStream$descriptor() {
        return cudnnSetStream.DESC;
    }

    public static MethodHandle cudnnSetStream$handle() {
        return cudnnSetStream.HANDLE;
    }

    public static MemorySegment cudnnSetStream$address() {
        return cudnnSetStream.ADDR;
    }

    public static int cudnnSetStream(MemorySegment handle, MemorySegment streamId) {
        var mh$ = cudnnSetStream.HANDLE;
        try {
            return (int) mh$.invokeExact(handle, streamId);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cudnnCreateTensorDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MemorySegment ADDR = findOrThrow("cudnnCreateTensorDescriptor");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cudnnCreateTensorDescriptor$descriptor() {
        return cudnnCreateTensorDescriptor.DESC;
    }

    public static MethodHandle cudnnCreateTensorDescriptor$handle() {
        return cudnnCreateTensorDescriptor.HANDLE;
    }

    public static MemorySegment cudnnCreateTensorDescriptor$address() {
        return cudnnCreateTensorDescriptor.ADDR;
    }

    public static int cudnnCreateTensorDescriptor(MemorySegment tensorDesc) {
        var mh$ = cudnnCreateTensorDescriptor.HANDLE;
        try {
            return (int) mh$.invokeExact(tensorDesc);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cudnnDestroyTensorDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MemorySegment ADDR = findOrThrow("cudnnDestroyTensorDescriptor");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cudnnDestroyTensorDescriptor$descriptor() {
        return cudnnDestroyTensorDescriptor.DESC;
    }

    public static MethodHandle cudnnDestroyTensorDescriptor$handle() {
        return cudnnDestroyTensorDescriptor.HANDLE;
    }

    public static MemorySegment cudnnDestroyTensorDescriptor$address() {
        return cudnnDestroyTensorDescriptor.ADDR;
    }

    public static int cudnnDestroyTensorDescriptor(MemorySegment tensorDesc) {
        var mh$ = cudnnDestroyTensorDescriptor.HANDLE;
        try {
            return (int) mh$.invokeExact(tensorDesc);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cudnnSetTensor4dDescriptorEx {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT);
        static final MemorySegment ADDR = findOrThrow("cudnnSetTensor4dDescriptorEx");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cudnnSetTensor4dDescriptorEx$descriptor() {
        return cudnnSetTensor4dDescriptorEx.DESC;
    }

    public static MethodHandle cudnnSetTensor4dDescriptorEx$handle() {
        return cudnnSetTensor4dDescriptorEx.HANDLE;
    }

    public static MemorySegment cudnnSetTensor4dDescriptorEx$address() {
        return cudnnSetTensor4dDescriptorEx.ADDR;
    }

    public static int cudnnSetTensor4dDescriptorEx(MemorySegment tensorDesc, int dataType, int n, int c, int h, int w, int nStride, int cStride, int hStride, int wStride) {
        var mh$ = cudnnSetTensor4dDescriptorEx.HANDLE;
        try {
            return (int) mh$.invokeExact(tensorDesc, dataType, n, c, h, w, nStride, cStride, hStride, wStride);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cudnnSetTensorNdDescriptor {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_POINTER, C_POINTER);
        static final MemorySegment ADDR = findOrThrow("cudnnSetTensorNdDescriptor");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cudnnSetTensorNdDescriptor$descriptor() {
        return cudnnSetTensorNdDescriptor.DESC;
    }

    public static MethodHandle cudnnSetTensorNdDescriptor$handle() {
        return cudnnSetTensorNdDescriptor.HANDLE;
    }

    public static MemorySegment cudnnSetTensorNdDescriptor$address() {
        return cudnnSetTensorNdDescriptor.ADDR;
    }

    public static int cudnnSetTensorNdDescriptor(MemorySegment tensorDesc, int dataType, int nbDims, MemorySegment dimA, MemorySegment strideA) {
        var mh$ = cudnnSetTensorNdDescriptor.HANDLE;
        try {
            return (int) mh$.invokeExact(tensorDesc, dataType, nbDims, dimA, strideA);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cudnnSoftmaxForward {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MemorySegment ADDR = findOrThrow("cudnnSoftmaxForward");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cudnnSoftmaxForward$descriptor() {
        return cudnnSoftmaxForward.DESC;
    }

    public static MethodHandle cudnnSoftmaxForward$handle() {
        return cudnnSoftmaxForward.HANDLE;
    }

    public static MemorySegment cudnnSoftmaxForward$address() {
        return cudnnSoftmaxForward.ADDR;
    }

    public static int cudnnSoftmaxForward(MemorySegment handle, int algo, int mode, MemorySegment alpha, MemorySegment xDesc, MemorySegment x, MemorySegment beta, MemorySegment yDesc, MemorySegment y) {
        var mh$ = cudnnSoftmaxForward.HANDLE;
        try {
            return (int) mh$.invokeExact(handle, algo, mode, alpha, xDesc, x, beta, yDesc, y);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cudnnSoftmaxBackward {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MemorySegment ADDR = findOrThrow("cudnnSoftmaxBackward");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cudnnSoftmaxBackward$descriptor() {
        return cudnnSoftmaxBackward.DESC;
    }

    public static MethodHandle cudnnSoftmaxBackward$handle() {
        return cudnnSoftmaxBackward.HANDLE;
    }

    public static MemorySegment cudnnSoftmaxBackward$address() {
        return cudnnSoftmaxBackward.ADDR;
    }

    public static int cudnnSoftmaxBackward(MemorySegment handle, int algo, int mode, MemorySegment alpha, MemorySegment yDesc, MemorySegment y, MemorySegment dyDesc, MemorySegment dy, MemorySegment beta, MemorySegment dxDesc, MemorySegment dx) {
        var mh$ = cudnnSoftmaxBackward.HANDLE;
        try {
            return (int) mh$.invokeExact(handle, algo, mode, alpha, yDesc, y, dyDesc, dy, beta, dxDesc, dx);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }
}
