// Bindings for cublasLt.h (with the cublas_api.h and library_types.h enums it uses) in the shape jextract generates (see bindings/jextract/cuda-README.md);
// the one difference: symbols come from CudaLibraries, which locates the library first.
package org.dinoj.bindings.cuda;

import static org.dinoj.bindings.cuda.CudaTypes.*;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import org.dinoj.nativelib.cuda.CudaLibraries;
import org.dinoj.nativelib.cuda.CudaLibrary;

/** cuBLASLt (libcublasLt): matmuls with layouts, strided batches and bias/GELU epilogues. */
@SuppressWarnings("unused")
public final class cublasLt_h {
    private cublasLt_h() {
    }

    static MemorySegment findOrThrow(String symbol) {
        return CudaLibraries.lookup(CudaLibrary.CUBLASLT).find(symbol).orElseThrow(() ->
                new UnsatisfiedLinkError("symbol " + symbol + " not found in " + CudaLibrary.CUBLASLT.name()));
    }

    /** {@code CUBLAS_STATUS_SUCCESS} */
    public static int CUBLAS_STATUS_SUCCESS() {
        return 0;
    }

    /** {@code CUBLAS_STATUS_NOT_SUPPORTED} */
    public static int CUBLAS_STATUS_NOT_SUPPORTED() {
        return 15;
    }

    /** {@code CUBLAS_OP_N} */
    public static int CUBLAS_OP_N() {
        return 0;
    }

    /** {@code CUBLAS_OP_T} */
    public static int CUBLAS_OP_T() {
        return 1;
    }

    /** {@code CUBLAS_COMPUTE_32F} */
    public static int CUBLAS_COMPUTE_32F() {
        return 68;
    }

    /** {@code CUBLAS_COMPUTE_32F_FAST_16BF} */
    public static int CUBLAS_COMPUTE_32F_FAST_16BF() {
        return 75;
    }

    /** {@code CUBLAS_COMPUTE_32F_FAST_TF32} */
    public static int CUBLAS_COMPUTE_32F_FAST_TF32() {
        return 77;
    }

    /** {@code CUDA_R_32F} */
    public static int CUDA_R_32F() {
        return 0;
    }

    /** {@code CUDA_R_16F} */
    public static int CUDA_R_16F() {
        return 2;
    }

    /** {@code CUDA_R_16BF} */
    public static int CUDA_R_16BF() {
        return 14;
    }

    /** {@code CUBLASLT_POINTER_MODE_HOST} */
    public static int CUBLASLT_POINTER_MODE_HOST() {
        return 0;
    }

    /** {@code CUBLASLT_ORDER_COL} */
    public static int CUBLASLT_ORDER_COL() {
        return 0;
    }

    /** {@code CUBLASLT_ORDER_ROW} */
    public static int CUBLASLT_ORDER_ROW() {
        return 1;
    }

    /** {@code CUBLASLT_MATRIX_LAYOUT_TYPE} */
    public static int CUBLASLT_MATRIX_LAYOUT_TYPE() {
        return 0;
    }

    /** {@code CUBLASLT_MATRIX_LAYOUT_ORDER} */
    public static int CUBLASLT_MATRIX_LAYOUT_ORDER() {
        return 1;
    }

    /** {@code CUBLASLT_MATRIX_LAYOUT_ROWS} */
    public static int CUBLASLT_MATRIX_LAYOUT_ROWS() {
        return 2;
    }

    /** {@code CUBLASLT_MATRIX_LAYOUT_COLS} */
    public static int CUBLASLT_MATRIX_LAYOUT_COLS() {
        return 3;
    }

    /** {@code CUBLASLT_MATRIX_LAYOUT_LD} */
    public static int CUBLASLT_MATRIX_LAYOUT_LD() {
        return 4;
    }

    /** {@code CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT} */
    public static int CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT() {
        return 5;
    }

    /** {@code CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET} */
    public static int CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET() {
        return 6;
    }

    /** {@code CUBLASLT_MATMUL_DESC_COMPUTE_TYPE} */
    public static int CUBLASLT_MATMUL_DESC_COMPUTE_TYPE() {
        return 0;
    }

    /** {@code CUBLASLT_MATMUL_DESC_SCALE_TYPE} */
    public static int CUBLASLT_MATMUL_DESC_SCALE_TYPE() {
        return 1;
    }

    /** {@code CUBLASLT_MATMUL_DESC_POINTER_MODE} */
    public static int CUBLASLT_MATMUL_DESC_POINTER_MODE() {
        return 2;
    }

    /** {@code CUBLASLT_MATMUL_DESC_TRANSA} */
    public static int CUBLASLT_MATMUL_DESC_TRANSA() {
        return 3;
    }

    /** {@code CUBLASLT_MATMUL_DESC_TRANSB} */
    public static int CUBLASLT_MATMUL_DESC_TRANSB() {
        return 4;
    }

    /** {@code CUBLASLT_MATMUL_DESC_EPILOGUE} */
    public static int CUBLASLT_MATMUL_DESC_EPILOGUE() {
        return 7;
    }

    /** {@code CUBLASLT_MATMUL_DESC_BIAS_POINTER} */
    public static int CUBLASLT_MATMUL_DESC_BIAS_POINTER() {
        return 8;
    }

    /** {@code CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE} */
    public static int CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE() {
        return 26;
    }

    /** {@code CUBLASLT_EPILOGUE_DEFAULT} */
    public static int CUBLASLT_EPILOGUE_DEFAULT() {
        return 1;
    }

    /** {@code CUBLASLT_EPILOGUE_RELU} */
    public static int CUBLASLT_EPILOGUE_RELU() {
        return 2;
    }

    /** {@code CUBLASLT_EPILOGUE_BIAS} */
    public static int CUBLASLT_EPILOGUE_BIAS() {
        return 4;
    }

    /** {@code CUBLASLT_EPILOGUE_RELU_BIAS} */
    public static int CUBLASLT_EPILOGUE_RELU_BIAS() {
        return 6;
    }

    /** {@code CUBLASLT_EPILOGUE_GELU} */
    public static int CUBLASLT_EPILOGUE_GELU() {
        return 32;
    }

    /** {@code CUBLASLT_EPILOGUE_GELU_BIAS} */
    public static int CUBLASLT_EPILOGUE_GELU_BIAS() {
        return 36;
    }

    /** {@code CUBLASLT_MATMUL_PREF_SEARCH_MODE} */
    public static int CUBLASLT_MATMUL_PREF_SEARCH_MODE() {
        return 0;
    }

    /** {@code CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES} */
    public static int CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES() {
        return 1;
    }

    /** {@code CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES} */
    public static int CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES() {
        return 5;
    }

    /** {@code CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES} */
    public static int CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES() {
        return 6;
    }

    /** {@code CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES} */
    public static int CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES() {
        return 7;
    }

    /** {@code CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES} */
    public static int CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES() {
        return 8;
    }

    private static final class cublasLtCreate {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MemorySegment ADDR = findOrThrow("cublasLtCreate");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cublasLtCreate$descriptor() {
        return cublasLtCreate.DESC;
    }

    public static MethodHandle cublasLtCreate$handle() {
        return cublasLtCreate.HANDLE;
    }

    public static MemorySegment cublasLtCreate$address() {
        return cublasLtCreate.ADDR;
    }

    public static int cublasLtCreate(MemorySegment lightHandle) {
        var mh$ = cublasLtCreate.HANDLE;
        try {
            return (int) mh$.invokeExact(lightHandle);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cublasLtDestroy {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MemorySegment ADDR = findOrThrow("cublasLtDestroy");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cublasLtDestroy$descriptor() {
        return cublasLtDestroy.DESC;
    }

    public static MethodHandle cublasLtDestroy$handle() {
        return cublasLtDestroy.HANDLE;
    }

    public static MemorySegment cublasLtDestroy$address() {
        return cublasLtDestroy.ADDR;
    }

    public static int cublasLtDestroy(MemorySegment lightHandle) {
        var mh$ = cublasLtDestroy.HANDLE;
        try {
            return (int) mh$.invokeExact(lightHandle);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cublasLtGetVersion {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_LONG);
        static final MemorySegment ADDR = findOrThrow("cublasLtGetVersion");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cublasLtGetVersion$descriptor() {
        return cublasLtGetVersion.DESC;
    }

    public static MethodHandle cublasLtGetVersion$handle() {
        return cublasLtGetVersion.HANDLE;
    }

    public static MemorySegment cublasLtGetVersion$address() {
        return cublasLtGetVersion.ADDR;
    }

    public static long cublasLtGetVersion() {
        var mh$ = cublasLtGetVersion.HANDLE;
        try {
            return (long) mh$.invokeExact();
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cublasLtGetStatusName {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_INT);
        static final MemorySegment ADDR = findOrThrow("cublasLtGetStatusName");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cublasLtGetStatusName$descriptor() {
        return cublasLtGetStatusName.DESC;
    }

    public static MethodHandle cublasLtGetStatusName$handle() {
        return cublasLtGetStatusName.HANDLE;
    }

    public static MemorySegment cublasLtGetStatusName$address() {
        return cublasLtGetStatusName.ADDR;
    }

    public static MemorySegment cublasLtGetStatusName(int status) {
        var mh$ = cublasLtGetStatusName.HANDLE;
        try {
            return (MemorySegment) mh$.invokeExact(status);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cublasLtGetStatusString {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_INT);
        static final MemorySegment ADDR = findOrThrow("cublasLtGetStatusString");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cublasLtGetStatusString$descriptor() {
        return cublasLtGetStatusString.DESC;
    }

    public static MethodHandle cublasLtGetStatusString$handle() {
        return cublasLtGetStatusString.HANDLE;
    }

    public static MemorySegment cublasLtGetStatusString$address() {
        return cublasLtGetStatusString.ADDR;
    }

    public static MemorySegment cublasLtGetStatusString(int status) {
        var mh$ = cublasLtGetStatusString.HANDLE;
        try {
            return (MemorySegment) mh$.invokeExact(status);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cublasLtMatmulDescCreate {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT);
        static final MemorySegment ADDR = findOrThrow("cublasLtMatmulDescCreate");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cublasLtMatmulDescCreate$descriptor() {
        return cublasLtMatmulDescCreate.DESC;
    }

    public static MethodHandle cublasLtMatmulDescCreate$handle() {
        return cublasLtMatmulDescCreate.HANDLE;
    }

    public static MemorySegment cublasLtMatmulDescCreate$address() {
        return cublasLtMatmulDescCreate.ADDR;
    }

    public static int cublasLtMatmulDescCreate(MemorySegment matmulDesc, int computeType, int scaleType) {
        var mh$ = cublasLtMatmulDescCreate.HANDLE;
        try {
            return (int) mh$.invokeExact(matmulDesc, computeType, scaleType);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cublasLtMatmulDescDestroy {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MemorySegment ADDR = findOrThrow("cublasLtMatmulDescDestroy");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cublasLtMatmulDescDestroy$descriptor() {
        return cublasLtMatmulDescDestroy.DESC;
    }

    public static MethodHandle cublasLtMatmulDescDestroy$handle() {
        return cublasLtMatmulDescDestroy.HANDLE;
    }

    public static MemorySegment cublasLtMatmulDescDestroy$address() {
        return cublasLtMatmulDescDestroy.ADDR;
    }

    public static int cublasLtMatmulDescDestroy(MemorySegment matmulDesc) {
        var mh$ = cublasLtMatmulDescDestroy.HANDLE;
        try {
            return (int) mh$.invokeExact(matmulDesc);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cublasLtMatmulDescSetAttribute {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER, C_LONG);
        static final MemorySegment ADDR = findOrThrow("cublasLtMatmulDescSetAttribute");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cublasLtMatmulDescSetAttribute$descriptor() {
        return cublasLtMatmulDescSetAttribute.DESC;
    }

    public static MethodHandle cublasLtMatmulDescSetAttribute$handle() {
        return cublasLtMatmulDescSetAttribute.HANDLE;
    }

    public static MemorySegment cublasLtMatmulDescSetAttribute$address() {
        return cublasLtMatmulDescSetAttribute.ADDR;
    }

    public static int cublasLtMatmulDescSetAttribute(MemorySegment matmulDesc, int attr, MemorySegment buf, long sizeInBytes) {
        var mh$ = cublasLtMatmulDescSetAttribute.HANDLE;
        try {
            return (int) mh$.invokeExact(matmulDesc, attr, buf, sizeInBytes);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cublasLtMatrixLayoutCreate {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_LONG, C_LONG, C_LONG);
        static final MemorySegment ADDR = findOrThrow("cublasLtMatrixLayoutCreate");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cublasLtMatrixLayoutCreate$descriptor() {
        return cublasLtMatrixLayoutCreate.DESC;
    }

    public static MethodHandle cublasLtMatrixLayoutCreate$handle() {
        return cublasLtMatrixLayoutCreate.HANDLE;
    }

    public static MemorySegment cublasLtMatrixLayoutCreate$address() {
        return cublasLtMatrixLayoutCreate.ADDR;
    }

    public static int cublasLtMatrixLayoutCreate(MemorySegment matLayout, int type, long rows, long cols, long ld) {
        var mh$ = cublasLtMatrixLayoutCreate.HANDLE;
        try {
            return (int) mh$.invokeExact(matLayout, type, rows, cols, ld);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cublasLtMatrixLayoutDestroy {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MemorySegment ADDR = findOrThrow("cublasLtMatrixLayoutDestroy");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cublasLtMatrixLayoutDestroy$descriptor() {
        return cublasLtMatrixLayoutDestroy.DESC;
    }

    public static MethodHandle cublasLtMatrixLayoutDestroy$handle() {
        return cublasLtMatrixLayoutDestroy.HANDLE;
    }

    public static MemorySegment cublasLtMatrixLayoutDestroy$address() {
        return cublasLtMatrixLayoutDestroy.ADDR;
    }

    public static int cublasLtMatrixLayoutDestroy(MemorySegment matLayout) {
        var mh$ = cublasLtMatrixLayoutDestroy.HANDLE;
        try {
            return (int) mh$.invokeExact(matLayout);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cublasLtMatrixLayoutSetAttribute {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER, C_LONG);
        static final MemorySegment ADDR = findOrThrow("cublasLtMatrixLayoutSetAttribute");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cublasLtMatrixLayoutSetAttribute$descriptor() {
        return cublasLtMatrixLayoutSetAttribute.DESC;
    }

    public static MethodHandle cublasLtMatrixLayoutSetAttribute$handle() {
        return cublasLtMatrixLayoutSetAttribute.HANDLE;
    }

    public static MemorySegment cublasLtMatrixLayoutSetAttribute$address() {
        return cublasLtMatrixLayoutSetAttribute.ADDR;
    }

    public static int cublasLtMatrixLayoutSetAttribute(MemorySegment matLayout, int attr, MemorySegment buf, long sizeInBytes) {
        var mh$ = cublasLtMatrixLayoutSetAttribute.HANDLE;
        try {
            return (int) mh$.invokeExact(matLayout, attr, buf, sizeInBytes);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cublasLtMatmulPreferenceCreate {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MemorySegment ADDR = findOrThrow("cublasLtMatmulPreferenceCreate");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cublasLtMatmulPreferenceCreate$descriptor() {
        return cublasLtMatmulPreferenceCreate.DESC;
    }

    public static MethodHandle cublasLtMatmulPreferenceCreate$handle() {
        return cublasLtMatmulPreferenceCreate.HANDLE;
    }

    public static MemorySegment cublasLtMatmulPreferenceCreate$address() {
        return cublasLtMatmulPreferenceCreate.ADDR;
    }

    public static int cublasLtMatmulPreferenceCreate(MemorySegment pref) {
        var mh$ = cublasLtMatmulPreferenceCreate.HANDLE;
        try {
            return (int) mh$.invokeExact(pref);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cublasLtMatmulPreferenceDestroy {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MemorySegment ADDR = findOrThrow("cublasLtMatmulPreferenceDestroy");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cublasLtMatmulPreferenceDestroy$descriptor() {
        return cublasLtMatmulPreferenceDestroy.DESC;
    }

    public static MethodHandle cublasLtMatmulPreferenceDestroy$handle() {
        return cublasLtMatmulPreferenceDestroy.HANDLE;
    }

    public static MemorySegment cublasLtMatmulPreferenceDestroy$address() {
        return cublasLtMatmulPreferenceDestroy.ADDR;
    }

    public static int cublasLtMatmulPreferenceDestroy(MemorySegment pref) {
        var mh$ = cublasLtMatmulPreferenceDestroy.HANDLE;
        try {
            return (int) mh$.invokeExact(pref);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cublasLtMatmulPreferenceSetAttribute {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER, C_LONG);
        static final MemorySegment ADDR = findOrThrow("cublasLtMatmulPreferenceSetAttribute");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cublasLtMatmulPreferenceSetAttribute$descriptor() {
        return cublasLtMatmulPreferenceSetAttribute.DESC;
    }

    public static MethodHandle cublasLtMatmulPreferenceSetAttribute$handle() {
        return cublasLtMatmulPreferenceSetAttribute.HANDLE;
    }

    public static MemorySegment cublasLtMatmulPreferenceSetAttribute$address() {
        return cublasLtMatmulPreferenceSetAttribute.ADDR;
    }

    public static int cublasLtMatmulPreferenceSetAttribute(MemorySegment pref, int attr, MemorySegment buf, long sizeInBytes) {
        var mh$ = cublasLtMatmulPreferenceSetAttribute.HANDLE;
        try {
            return (int) mh$.invokeExact(pref, attr, buf, sizeInBytes);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cublasLtMatmulAlgoGetHeuristic {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER);
        static final MemorySegment ADDR = findOrThrow("cublasLtMatmulAlgoGetHeuristic");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cublasLtMatmulAlgoGetHeuristic$descriptor() {
        return cublasLtMatmulAlgoGetHeuristic.DESC;
    }

    public static MethodHandle cublasLtMatmulAlgoGetHeuristic$handle() {
        return cublasLtMatmulAlgoGetHeuristic.HANDLE;
    }

    public static MemorySegment cublasLtMatmulAlgoGetHeuristic$address() {
        return cublasLtMatmulAlgoGetHeuristic.ADDR;
    }

    public static int cublasLtMatmulAlgoGetHeuristic(MemorySegment lightHandle, MemorySegment operationDesc, MemorySegment Adesc, MemorySegment Bdesc, MemorySegment Cdesc, MemorySegment Ddesc, MemorySegment preference, int requestedAlgoCount, MemorySegment heuristicResultsArray, MemorySegment returnAlgoCount) {
        var mh$ = cublasLtMatmulAlgoGetHeuristic.HANDLE;
        try {
            return (int) mh$.invokeExact(lightHandle, operationDesc, Adesc, Bdesc, Cdesc, Ddesc, preference, requestedAlgoCount, heuristicResultsArray, returnAlgoCount);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cublasLtMatmul {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_LONG, C_POINTER);
        static final MemorySegment ADDR = findOrThrow("cublasLtMatmul");
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cublasLtMatmul$descriptor() {
        return cublasLtMatmul.DESC;
    }

    public static MethodHandle cublasLtMatmul$handle() {
        return cublasLtMatmul.HANDLE;
    }

    public static MemorySegment cublasLtMatmul$address() {
        return cublasLtMatmul.ADDR;
    }

    public static int cublasLtMatmul(MemorySegment lightHandle, MemorySegment computeDesc, MemorySegment alpha, MemorySegment A, MemorySegment Adesc, MemorySegment B, MemorySegment Bdesc, MemorySegment beta, MemorySegment C, MemorySegment Cdesc, MemorySegment D, MemorySegment Ddesc, MemorySegment algo, MemorySegment workspace, long workspaceSizeInBytes, MemorySegment stream) {
        var mh$ = cublasLtMatmul.HANDLE;
        try {
            return (int) mh$.invokeExact(lightHandle, computeDesc, alpha, A, Adesc, B, Bdesc, beta, C, Cdesc, D, Ddesc, algo, workspace, workspaceSizeInBytes, stream);
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }
}
