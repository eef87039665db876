package org.dinoj.model.backend.cuda;

import static org.dinoj.bindings.cuda.cublasLt_h.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;
import org.dinoj.bindings.cuda.cublasLtMatmulHeuristicResult_t;
import org.dinoj.bindings.cuda.cublasLt_h;

/**
 * Runs {@link MatmulPlan}s with cuBLASLt on one stream. Descriptors, layouts and the chosen
 * algorithm are made once per problem (shape, strides, types, epilogue, alignment) and cached, so
 * a steady training step only sets the bias pointer and calls cublasLtMatmul. f32 operands use
 * CUBLAS_COMPUTE_32F (no TF32); bf16 operands (the BF16 mode converts to them) use
 * CUBLAS_COMPUTE_32F too, i.e. bf16 products accumulated in f32, with an f32 output.
 */
final class CublasLtMatmul implements AutoCloseable {
    static final long WORKSPACE_BYTES = 32L << 20;

    /** Everything the descriptors and the algorithm choice depend on. */
    private record Key(boolean bf16, boolean bias, boolean transA, boolean transB, long m, long n, long k,
                       long rowsA, long colsA, long rowsB, long colsB, long lda, long ldb, long ldc,
                       long batch, long strideA, long strideB, long strideC, int alignA, int alignB, int alignC) {
    }

    private record Prepared(MemorySegment desc, MemorySegment layoutA, MemorySegment layoutB, MemorySegment layoutC,
                            MemorySegment algo) {
    }

    private final Arena arena;
    private final MemorySegment stream;
    private final MemorySegment handle;
    private final long workspace;
    private final MemorySegment alpha;
    private final MemorySegment beta;
    private final MemorySegment biasPointer;
    private final Map<Key, Prepared> prepared = new HashMap<>();
    private long calls;

    CublasLtMatmul(Arena arena, MemorySegment stream, long workspace) {
        this.arena = arena;
        this.stream = stream;
        this.workspace = workspace;
        MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
        CudaErrors.checkCublas(cublasLtCreate(out), "cublasLtCreate");
        this.handle = out.get(ValueLayout.ADDRESS, 0);
        this.alpha = arena.allocate(ValueLayout.JAVA_FLOAT);
        this.beta = arena.allocate(ValueLayout.JAVA_FLOAT);
        this.biasPointer = arena.allocate(ValueLayout.ADDRESS);
    }

    /**
     * D = alpha * op(A) op(B) + beta * C (+ bias along D's rows), C and D the same memory, for each
     * outer index of the plan.
     *
     * @param bf16 operands A and B hold bf16 (else f32); C/D are always f32
     * @param bias address of f32 [plan.m()] contiguous, or 0
     */
    void run(MatmulPlan plan, long a, long b, long c, long bias, float alphaValue, float betaValue, boolean bf16) {
        int elem = bf16 ? 2 : 4;
        long outer = 1;
        for (long s : plan.outerShape()) {
            outer *= s;
        }
        int alignA = alignment(a, plan.lda(), plan.batchStrideA(), plan.outerStridesA(), elem);
        int alignB = alignment(b, plan.ldb(), plan.batchStrideB(), plan.outerStridesB(), elem);
        int alignC = alignment(c, plan.ldc(), plan.batchStrideC(), plan.outerStridesC(), 4);
        Key key = new Key(bf16, bias != 0, plan.transA(), plan.transB(), plan.m(), plan.n(), plan.k(),
                plan.rowsA(), plan.colsA(), plan.rowsB(), plan.colsB(), plan.lda(), plan.ldb(), plan.ldc(),
                plan.batch(), plan.batchStrideA(), plan.batchStrideB(), plan.batchStrideC(), alignA, alignB, alignC);
        Prepared p = prepared.get(key);
        if (p == null) {
            p = prepare(key);
            prepared.put(key, p);
        }
        if (bias != 0) {
            biasPointer.set(ValueLayout.JAVA_LONG, 0, bias);
            CudaErrors.checkCublas(cublasLtMatmulDescSetAttribute(p.desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER(),
                    biasPointer, 8), "cublasLtMatmulDescSetAttribute(BIAS_POINTER)");
        }
        alpha.set(ValueLayout.JAVA_FLOAT, 0, alphaValue);
        beta.set(ValueLayout.JAVA_FLOAT, 0, betaValue);
        long[] shape = plan.outerShape();
        for (long o = 0; o < outer; o++) {
            long offA = 0;
            long offB = 0;
            long offC = 0;
            long rest = o;
            for (int i = shape.length - 1; i >= 0; i--) {
                long idx = rest % shape[i];
                rest /= shape[i];
                offA += idx * plan.outerStridesA()[i];
                offB += idx * plan.outerStridesB()[i];
                offC += idx * plan.outerStridesC()[i];
            }
            MemorySegment cPtr = MemorySegment.ofAddress(c + offC * 4);
            calls++;
            CudaErrors.checkCublas(cublasLtMatmul(handle, p.desc, alpha, MemorySegment.ofAddress(a + offA * elem),
                    p.layoutA, MemorySegment.ofAddress(b + offB * elem), p.layoutB, beta, cPtr, p.layoutC, cPtr,
                    p.layoutC, p.algo, MemorySegment.ofAddress(workspace), WORKSPACE_BYTES, stream), "cublasLtMatmul");
        }
    }

    /** The largest power of two (<= 256 bytes) dividing the base address and every byte step. */
    private static int alignment(long base, long ld, long batchStride, long[] outerStrides, int elem) {
        long bits = base | (ld * elem) | (batchStride * elem) | 256;
        for (long s : outerStrides) {
            bits |= s * elem;
        }
        return (int) Long.lowestOneBit(bits);
    }

    private Prepared prepare(Key key) {
        MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
        int abType = key.bf16 ? CUDA_R_16BF() : CUDA_R_32F();
        CudaErrors.checkCublas(cublasLtMatmulDescCreate(out, CUBLAS_COMPUTE_32F(), CUDA_R_32F()), "cublasLtMatmulDescCreate");
        MemorySegment desc = out.get(ValueLayout.ADDRESS, 0);
        setDesc(desc, CUBLASLT_MATMUL_DESC_TRANSA(), key.transA ? CUBLAS_OP_T() : CUBLAS_OP_N());
        setDesc(desc, CUBLASLT_MATMUL_DESC_TRANSB(), key.transB ? CUBLAS_OP_T() : CUBLAS_OP_N());
        if (key.bias) {
            setDesc(desc, CUBLASLT_MATMUL_DESC_EPILOGUE(), CUBLASLT_EPILOGUE_BIAS());
            setDesc(desc, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE(), CUDA_R_32F());
        }
        MemorySegment layoutA = layout(abType, key.rowsA, key.colsA, key.lda, key.batch, key.strideA);
        MemorySegment layoutB = layout(abType, key.rowsB, key.colsB, key.ldb, key.batch, key.strideB);
        MemorySegment layoutC = layout(CUDA_R_32F(), key.m, key.n, key.ldc, key.batch, key.strideC);

        CudaErrors.checkCublas(cublasLtMatmulPreferenceCreate(out), "cublasLtMatmulPreferenceCreate");
        MemorySegment preference = out.get(ValueLayout.ADDRESS, 0);
        MemorySegment value = arena.allocate(ValueLayout.JAVA_LONG);
        value.set(ValueLayout.JAVA_LONG, 0, WORKSPACE_BYTES);
        CudaErrors.checkCublas(cublasLtMatmulPreferenceSetAttribute(preference,
                CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES(), value, 8), "set MAX_WORKSPACE_BYTES");
        int[] alignments = {key.alignA, key.alignB, key.alignC, key.alignC};
        int[] attributes = {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES(), CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES(),
                CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES(), CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES()};
        for (int i = 0; i < 4; i++) {
            value.set(ValueLayout.JAVA_INT, 0, alignments[i]);
            CudaErrors.checkCublas(cublasLtMatmulPreferenceSetAttribute(preference, attributes[i], value, 4),
                    "set MIN_ALIGNMENT");
        }
        MemorySegment results = arena.allocate(cublasLtMatmulHeuristicResult_t.layout());
        MemorySegment found = arena.allocate(ValueLayout.JAVA_INT);
        try {
            CudaErrors.checkCublas(cublasLtMatmulAlgoGetHeuristic(handle, desc, layoutA, layoutB, layoutC, layoutC,
                    preference, 1, results, found), "cublasLtMatmulAlgoGetHeuristic for " + key);
        } finally {
            cublasLtMatmulPreferenceDestroy(preference);
        }
        if (found.get(ValueLayout.JAVA_INT, 0) == 0) {
            throw new CudaException("cuBLASLt has no algorithm for " + key, cublasLt_h.CUBLAS_STATUS_NOT_SUPPORTED());
        }
        return new Prepared(desc, layoutA, layoutB, layoutC, cublasLtMatmulHeuristicResult_t.algo(results));
    }

    private void setDesc(MemorySegment desc, int attribute, int value) {
        MemorySegment buf = arena.allocate(ValueLayout.JAVA_INT);
        buf.set(ValueLayout.JAVA_INT, 0, value);
        CudaErrors.checkCublas(cublasLtMatmulDescSetAttribute(desc, attribute, buf, 4),
                "cublasLtMatmulDescSetAttribute(" + attribute + ")");
    }

    private MemorySegment layout(int type, long rows, long cols, long ld, long batch, long stride) {
        MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
        CudaErrors.checkCublas(cublasLtMatrixLayoutCreate(out, type, rows, cols, ld), "cublasLtMatrixLayoutCreate");
        MemorySegment layout = out.get(ValueLayout.ADDRESS, 0);
        if (batch > 1) {
            MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
            count.set(ValueLayout.JAVA_INT, 0, Math.toIntExact(batch));
            CudaErrors.checkCublas(cublasLtMatrixLayoutSetAttribute(layout, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT(), count, 4),
                    "set BATCH_COUNT");
            MemorySegment offset = arena.allocate(ValueLayout.JAVA_LONG);
            offset.set(ValueLayout.JAVA_LONG, 0, stride);
            CudaErrors.checkCublas(cublasLtMatrixLayoutSetAttribute(layout,
                    CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET(), offset, 8), "set STRIDED_BATCH_OFFSET");
        }
        return layout;
    }

    /** cublasLtMatmul calls made so far. */
    long calls() {
        return calls;
    }

    @Override
    public void close() {
        for (Prepared p : prepared.values()) {
            cublasLtMatrixLayoutDestroy(p.layoutA);
            cublasLtMatrixLayoutDestroy(p.layoutB);
            cublasLtMatrixLayoutDestroy(p.layoutC);
            cublasLtMatmulDescDestroy(p.desc);
        }
        prepared.clear();
        cublasLtDestroy(handle);
    }
}
