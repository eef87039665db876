package org.dinoj.model.backend.cuda;

import java.util.Arrays;
import org.dinoj.model.tensor.Tensor;

/**
 * How one {@code c = a @ b} maps onto column-major cuBLASLt calls, from shapes and strides alone
 * (no GPU), so the mapping is unit-tested on any machine.
 *
 * <p>cuBLAS is column-major. When c's rows are contiguous (row-major c), the product is computed
 * as {@code c^T = b^T a^T}: cuBLAS operand A is our b and operand B is our a. When c's columns are
 * contiguous (column-major c, e.g. a transposed view), it is computed directly as {@code c = a b}.
 * An operand whose last two dimensions both have non-unit strides must be copied to a contiguous
 * tensor first ({@link #copyA()}, {@link #copyB()}); so must c ({@link #tempC()}).
 *
 * <p>Batch dimensions (all but the last two; a and b are left-padded with size-1 dimensions and
 * may broadcast) are merged where their strides allow: the merged run with the most matrices
 * becomes the cuBLASLt strided batch, the other batch dimensions an outer loop ({@link #outerShape()} with per-tensor strides).
 * A weight b broadcast over a row-major a's batch is folded into M (one large GEMM).
 *
 * @param swapped       true when cuBLAS A is our b (row-major c), false when cuBLAS A is our a
 * @param transA        cuBLAS op of operand A
 * @param transB        cuBLAS op of operand B
 * @param m             rows of cuBLAS D (= N when swapped, else M)
 * @param n             columns of cuBLAS D
 * @param k             inner dimension
 * @param rowsA         rows of operand A as stored (column-major), likewise colsA, rowsB, colsB
 * @param lda           leading dimension of operand A in elements; likewise ldb, ldc
 * @param batch         cuBLASLt batch count
 * @param batchStrideA  element stride between batches of operand A (0 broadcasts); likewise B, C
 * @param outerShape    sizes of the batch dimensions looped over outside cuBLASLt
 * @param outerStridesA element strides of operand A along outerShape; likewise B, C
 * @param biasEpilogue  true when a bias can be applied as cuBLASLt's bias epilogue (per row of D)
 */
public record MatmulPlan(boolean swapped, boolean transA, boolean transB, long m, long n, long k,
                         long rowsA, long colsA, long rowsB, long colsB, long lda, long ldb, long ldc,
                         long batch, long batchStrideA, long batchStrideB, long batchStrideC,
                         long[] outerShape, long[] outerStridesA, long[] outerStridesB, long[] outerStridesC,
                         boolean biasEpilogue, boolean copyA, boolean copyB, boolean tempC) {

    /**
     * Plans {@code c = a @ b}. a: [..., M, K], b: [..., K, N], c: [..., M, N].
     *
     * @throws IllegalArgumentException when shapes do not match
     */
    public static MatmulPlan of(Tensor a, Tensor b, Tensor c) {
        return of(a.shape(), a.strides(), b.shape(), b.strides(), c.shape(), c.strides());
    }

    public static MatmulPlan of(long[] aShape, long[] aStrides, long[] bShape, long[] bStrides,
                                long[] cShape, long[] cStrides) {
        int rank = cShape.length;
        if (rank < 2 || aShape.length < 2 || bShape.length < 2 || aShape.length > rank || bShape.length > rank) {
            throw new IllegalArgumentException("matmul needs a [..., M, K], b [..., K, N] and c [..., M, N] of rank >= 2 "
                    + "with c of the highest rank, got a " + Arrays.toString(aShape) + ", b " + Arrays.toString(bShape)
                    + ", c " + Arrays.toString(cShape));
        }
        long[] as = pad(aShape, rank, 1);
        long[] bs = pad(bShape, rank, 1);
        long mm = cShape[rank - 2];
        long nn = cShape[rank - 1];
        long kk = as[rank - 1];
        if (as[rank - 2] != mm || bs[rank - 1] != nn || bs[rank - 2] != kk) {
            throw new IllegalArgumentException("matmul shapes do not match: a " + Arrays.toString(aShape) + " @ b "
                    + Arrays.toString(bShape) + " -> c " + Arrays.toString(cShape)
                    + ": need a [..., M, K], b [..., K, N], c [..., M, N]");
        }
        for (int i = 0; i < rank - 2; i++) {
            if ((as[i] != 1 && as[i] != cShape[i]) || (bs[i] != 1 && bs[i] != cShape[i])) {
                throw new IllegalArgumentException("matmul batch dimension " + i + " of a " + Arrays.toString(aShape)
                        + " or b " + Arrays.toString(bShape) + " is neither 1 nor c's " + cShape[i]);
            }
        }
        // A matrix cuBLAS cannot read (no unit stride in its last two dimensions) is planned as a
        // contiguous copy, which the backend makes before the call.
        boolean copyA = !readable(aShape, aStrides);
        boolean copyB = !readable(bShape, bStrides);
        boolean tempC = !readable(cShape, cStrides);
        long[] ast = pad(copyA ? Tensor.contiguousStrides(aShape) : aStrides, rank, 0);
        long[] bst = pad(copyB ? Tensor.contiguousStrides(bShape) : bStrides, rank, 0);
        long[] cst = tempC ? Tensor.contiguousStrides(cShape) : cStrides;
        long[] sA = new long[rank - 2];
        long[] sB = new long[rank - 2];
        for (int i = 0; i < rank - 2; i++) {
            sA[i] = as[i] == 1 ? 0 : ast[i];
            sB[i] = bs[i] == 1 ? 0 : bst[i];
        }
        Operand ourA = Operand.tryOf(mm, kk, ast[rank - 2], ast[rank - 1]);
        Operand ourB = Operand.tryOf(kk, nn, bst[rank - 2], bst[rank - 1]);
        Operand ourC = Operand.tryOf(mm, nn, cst[rank - 2], cst[rank - 1]);
        long[] sC = Arrays.copyOf(cst, rank - 2);
        if (ourC.trans) {
            // c^T [N, M] = b^T [N, K] . a^T [K, M]: a row-major matrix is its transpose stored column-major.
            Operand opA = ourB.transposed();
            Operand opB = ourA.transposed();
            return batched(true, opA, opB, nn, mm, kk, ourC.ld, cShape, sB, sA, sC, true,
                    copyA, copyB, tempC);
        }
        // column-major c: c [M, N] = a [M, K] . b [K, N]; cuBLAS bias runs along M, ours along N.
        return batched(false, ourA, ourB, mm, nn, kk, ourC.ld, cShape, sA, sB, sC, false, copyA, copyB, tempC);
    }

    /**
     * How cuBLAS reads a logical matrix [rows, cols]: its column-major storage holds either the
     * matrix itself ({@code trans} false) or its transpose ({@code trans} true, a row-major matrix),
     * as storedRows x storedCols with leading dimension ld.
     */
    private record Operand(boolean trans, long storedRows, long storedCols, long ld) {
        /** Null when no column-major reading exists (no unit stride, or overlapping rows or columns). */
        static Operand tryOf(long rows, long cols, long rowStride, long colStride) {
            if (colStride == 1 || cols == 1) {
                long ld = rows == 1 ? Math.max(cols, 1) : rowStride;
                if (ld >= Math.max(cols, 1)) {
                    return new Operand(true, cols, rows, ld);
                }
            }
            if (rowStride == 1 || rows == 1) {
                long ld = cols == 1 ? Math.max(rows, 1) : colStride;
                if (ld >= Math.max(rows, 1)) {
                    return new Operand(false, rows, cols, ld);
                }
            }
            return null;
        }

        /** The same storage read as the logical transpose. */
        Operand transposed() {
            return new Operand(!trans, storedRows, storedCols, ld);
        }
    }

    private static boolean readable(long[] shape, long[] strides) {
        int r = shape.length;
        return Operand.tryOf(shape[r - 2], shape[r - 1], strides[r - 2], strides[r - 1]) != null;
    }

    private static MatmulPlan batched(boolean swapped, Operand opA, Operand opB, long m, long n, long k, long ldc,
                                      long[] cShape, long[] sA, long[] sB, long[] sC, boolean biasEpilogue,
                                      boolean copyA, boolean copyB, boolean tempC) {
        int batchRank = cShape.length - 2;
        // The cuBLASLt batch is the run of adjacent batch dimensions whose strides stack (merged
        // from its inner end outwards) with the most matrices; the other batch dimensions are
        // looped over on the host. Attention's q [B, H, N, hd] taken from a [B, N, 3D] buffer
        // merges neither way, so the larger of B and H becomes the batch: a handful of calls
        // rather than one per sample. Ties keep the innermost run.
        long group = 1;
        long gA = 0;
        long gB = 0;
        long gC = 0;
        int lo = batchRank;
        int hi = batchRank;
        for (int end = batchRank; end > 0; end--) {
            long runGroup = 1;
            long rA = 0;
            long rB = 0;
            long rC = 0;
            for (int i = end - 1; i >= 0; i--) {
                long size = cShape[i];
                if (size == 1) {
                    continue;
                }
                if (runGroup == 1) {
                    runGroup = size;
                    rA = sA[i];
                    rB = sB[i];
                    rC = sC[i];
                } else if (sA[i] == rA * runGroup && sB[i] == rB * runGroup && sC[i] == rC * runGroup) {
                    runGroup *= size;
                } else {
                    break;
                }
                if (runGroup > group) {
                    group = runGroup;
                    gA = rA;
                    gB = rB;
                    gC = rC;
                    lo = i;
                    hi = end;
                }
            }
        }
        int outerRank = 0; // size-1 dimensions need no loop
        for (int i = 0; i < batchRank; i++) {
            if ((i < lo || i >= hi) && cShape[i] != 1) {
                outerRank++;
            }
        }
        long[] outerShape = new long[outerRank];
        long[] oA = new long[outerRank];
        long[] oB = new long[outerRank];
        long[] oC = new long[outerRank];
        for (int i = 0, o = 0; i < batchRank; i++) {
            if ((i < lo || i >= hi) && cShape[i] != 1) {
                outerShape[o] = cShape[i];
                oA[o] = sA[i];
                oB[o] = sB[i];
                oC[o++] = sC[i];
            }
        }
        // A weight broadcast over the batch of a row-major a and c: one GEMM with G*M columns.
        if (swapped && group > 1 && gA == 0 && !opB.trans && gB == opB.storedCols * opB.ld
                && gC == opB.storedCols * ldc) {
            long cols = opB.storedCols * group;
            return new MatmulPlan(true, opA.trans, false, m, cols, k, opA.storedRows, opA.storedCols,
                    opB.storedRows, cols, opA.ld, opB.ld, ldc, 1, 0, 0, 0, outerShape, oA, oB, oC,
                    biasEpilogue, copyA, copyB, tempC);
        }
        return new MatmulPlan(swapped, opA.trans, opB.trans, m, n, k, opA.storedRows, opA.storedCols,
                opB.storedRows, opB.storedCols, opA.ld, opB.ld, ldc, group, gA, gB, gC, outerShape, oA, oB, oC,
                biasEpilogue, copyA, copyB, tempC);
    }

    private static long[] pad(long[] values, int rank, long fill) {
        long[] out = new long[rank];
        Arrays.fill(out, fill);
        System.arraycopy(values, 0, out, rank - values.length, values.length);
        return out;
    }
}
