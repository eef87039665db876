package org.dinoj.model.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Device;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Executes each plan the way column-major cuBLASLt would (an emulator over flat arrays: ops, leading
 * dimensions, strided batches, outer loops) and compares with a plain loop over the strided views.
 */
class MatmulPlanTest {
    private final Random random = new Random(7);

    /** A view with the given shape and strides over a flat buffer of span elements (values are its own). */
    private record View(long[] shape, long[] strides, double[] data) {
        double at(long... index) {
            long off = 0;
            for (int i = 0; i < index.length; i++) {
                off += index[i] * strides[i];
            }
            return data[(int) off];
        }

        Tensor probe() {
            return new Tensor(MemorySegment.NULL, DType.F32, Device.CUDA, shape, strides);
        }
    }

    private View view(long[] shape, long[] strides) {
        Tensor probe = new Tensor(MemorySegment.NULL, DType.F32, Device.CUDA, shape, strides);
        double[] data = new double[(int) probe.spanElements()];
        for (int i = 0; i < data.length; i++) {
            data[i] = random.nextInt(7) - 3;
        }
        return new View(shape, strides, data);
    }

    private View contiguous(long... shape) {
        return view(shape, Tensor.contiguousStrides(shape));
    }

    /** A contiguous copy of v, as the backend makes for copyA/copyB/tempC. */
    private static View packed(View v) {
        Tensor t = v.probe();
        double[] out = new double[(int) t.numel()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.data[(int) t.offsetOfFlat(i)];
        }
        return new View(v.shape, Tensor.contiguousStrides(v.shape), out);
    }

    private void check(View a, View b, View c) {
        MatmulPlan plan = MatmulPlan.of(a.probe(), b.probe(), c.probe());
        View ea = plan.copyA() ? packed(a) : a;
        View eb = plan.copyB() ? packed(b) : b;
        View ec = plan.tempC() ? new View(c.shape, Tensor.contiguousStrides(c.shape), new double[(int) c.probe().numel()]) : c;
        double[] out = ec.data.clone();
        View opA = plan.swapped() ? eb : ea;
        View opB = plan.swapped() ? ea : eb;
        emulate(plan, opA.data, opB.data, out);
        View result = new View(ec.shape, ec.strides, out);

        int rank = c.shape.length;
        long rows = c.shape[rank - 2];
        long cols = c.shape[rank - 1];
        long kk = a.shape[a.shape.length - 1];
        Tensor cp = c.probe();
        for (long flat = 0; flat < cp.numel(); flat++) {
            long[] idx = unflatten(flat, c.shape);
            double expected = 0;
            for (long l = 0; l < kk; l++) {
                expected += a.at(index(a.shape, idx, idx[rank - 2], l)) * b.at(index(b.shape, idx, l, idx[rank - 1]));
            }
            assertThat(result.at(idx)).as("c%s with plan %s", java.util.Arrays.toString(idx), plan)
                    .isCloseTo(expected, within(1e-9));
        }
        assertThat(rows * cols).isPositive();
    }

    /** The index into a (possibly lower-rank, broadcast) operand for c's batch index and a matrix position. */
    private static long[] index(long[] shape, long[] cIdx, long row, long col) {
        int r = shape.length;
        long[] idx = new long[r];
        int off = cIdx.length - r;
        for (int i = 0; i < r - 2; i++) {
            idx[i] = shape[i] == 1 ? 0 : cIdx[i + off];
        }
        idx[r - 2] = row;
        idx[r - 1] = col;
        return idx;
    }

    private static long[] unflatten(long flat, long[] shape) {
        long[] idx = new long[shape.length];
        for (int i = shape.length - 1; i >= 0; i--) {
            idx[i] = flat % shape[i];
            flat /= shape[i];
        }
        return idx;
    }

    /** Column-major GEMM as cuBLASLt defines it: D = op(A) op(B) for each outer index and batch. */
    private static void emulate(MatmulPlan p, double[] a, double[] b, double[] d) {
        long outer = 1;
        for (long s : p.outerShape()) {
            outer *= s;
        }
        for (long o = 0; o < outer; o++) {
            long[] idx = unflatten(o, p.outerShape());
            long oa = 0;
            long ob = 0;
            long oc = 0;
            for (int i = 0; i < idx.length; i++) {
                oa += idx[i] * p.outerStridesA()[i];
                ob += idx[i] * p.outerStridesB()[i];
                oc += idx[i] * p.outerStridesC()[i];
            }
            for (long batch = 0; batch < p.batch(); batch++) {
                long ba = oa + batch * p.batchStrideA();
                long bb = ob + batch * p.batchStrideB();
                long bc = oc + batch * p.batchStrideC();
                for (long i = 0; i < p.m(); i++) {
                    for (long j = 0; j < p.n(); j++) {
                        double sum = 0;
                        for (long l = 0; l < p.k(); l++) {
                            double x = p.transA() ? a[(int) (ba + l + i * p.lda())] : a[(int) (ba + i + l * p.lda())];
                            double y = p.transB() ? b[(int) (bb + j + l * p.ldb())] : b[(int) (bb + l + j * p.ldb())];
                            sum += x * y;
                        }
                        d[(int) (bc + i + j * p.ldc())] = sum;
                    }
                }
                // stored shapes agree with the op'd logical ones
                assertThat(p.transA() ? p.colsA() : p.rowsA()).isEqualTo(p.m());
                assertThat(p.transB() ? p.rowsB() : p.colsB()).isEqualTo(p.n());
            }
        }
    }

    private static long[] s(long... v) {
        return v;
    }

    @Test
    void plainRowMajorIsOneSwappedGemm() {
        View a = contiguous(3, 4);
        View b = contiguous(4, 5);
        View c = contiguous(3, 5);
        MatmulPlan plan = MatmulPlan.of(a.probe(), b.probe(), c.probe());
        assertThat(plan.swapped()).isTrue();
        assertThat(plan.transA()).isFalse();
        assertThat(plan.transB()).isFalse();
        assertThat(plan.biasEpilogue()).isTrue();
        check(a, b, c);
    }

    @Test
    void transposedViewsBecomeOpsNotCopies() {
        View at = contiguous(4, 3); // a = at^T
        View bt = contiguous(5, 4); // b = bt^T
        View a = new View(s(3, 4), s(1, 3), at.data);
        View b = new View(s(4, 5), s(1, 4), bt.data);
        View c = contiguous(3, 5);
        MatmulPlan plan = MatmulPlan.of(a.probe(), b.probe(), c.probe());
        assertThat(plan.copyA() || plan.copyB() || plan.tempC()).isFalse();
        check(a, b, c);
        check(a, contiguous(4, 5), c);
        check(contiguous(3, 4), b, c);
    }

    @Test
    void weightBroadcastOverBatchFoldsIntoOneGemm() {
        View a = contiguous(2, 3, 4);
        View w = contiguous(4, 5);
        View c = contiguous(2, 3, 5);
        MatmulPlan plan = MatmulPlan.of(a.probe(), w.probe(), c.probe());
        assertThat(plan.batch()).isEqualTo(1);
        assertThat(plan.outerShape()).isEmpty();
        assertThat(plan.n()).isEqualTo(6);
        check(a, w, c);
    }

    @Test
    void attentionScoresMergeBatchAndHeads() {
        // q [B, H, N, D] @ k^T where k is [B, H, N, D] viewed as [B, H, D, N]
        View q = contiguous(2, 3, 4, 5);
        View kStore = contiguous(2, 3, 4, 5);
        View kT = new View(s(2, 3, 5, 4), s(60, 20, 1, 5), kStore.data);
        View scores = contiguous(2, 3, 4, 4);
        MatmulPlan plan = MatmulPlan.of(q.probe(), kT.probe(), scores.probe());
        assertThat(plan.batch()).isEqualTo(6);
        assertThat(plan.outerShape()).isEmpty();
        check(q, kT, scores);
    }

    @Test
    void headsSplitFromTokensLoopOverTheUnmergeableDimension() {
        // q taken from a [B, N, H, D] buffer as [B, H, N, D] (strides do not stack over B and H)
        View buffer = contiguous(2, 4, 3, 5);
        View q = new View(s(2, 3, 4, 5), s(60, 5, 15, 1), buffer.data);
        View kT = new View(s(2, 3, 5, 4), s(60, 5, 1, 15), contiguous(2, 4, 3, 5).data);
        View scores = contiguous(2, 3, 4, 4);
        MatmulPlan plan = MatmulPlan.of(q.probe(), kT.probe(), scores.probe());
        assertThat(plan.batch()).isEqualTo(3);
        assertThat(plan.outerShape()).containsExactly(2);
        check(q, kT, scores);
    }

    @Test
    void unmergeableBatchUsesTheLargerDimensionAsTheCublasBatch() {
        // q taken from a [B, N, H, D] buffer as [B, H, N, D] with B = 5 > H = 2: one call per head
        // (batch B) rather than one per sample, so a step makes a few calls instead of B.
        View buffer = contiguous(5, 4, 2, 3);
        View q = new View(s(5, 2, 4, 3), s(24, 3, 6, 1), buffer.data);
        View kT = new View(s(5, 2, 3, 4), s(24, 3, 1, 6), contiguous(5, 4, 2, 3).data);
        View scores = contiguous(5, 2, 4, 4);
        MatmulPlan plan = MatmulPlan.of(q.probe(), kT.probe(), scores.probe());
        assertThat(plan.batch()).isEqualTo(5);
        assertThat(plan.outerShape()).containsExactly(2);
        check(q, kT, scores);
        // and the transposed products of the backward pass: dv = P^T dC, dq = dS k
        View p = contiguous(5, 2, 4, 4);
        View pT = new View(s(5, 2, 4, 4), s(32, 16, 1, 4), p.data);
        View dC = new View(s(5, 2, 4, 3), s(24, 3, 6, 1), contiguous(5, 4, 2, 3).data);
        View dv = new View(s(5, 2, 4, 3), s(24, 3, 6, 1), new double[120]);
        assertThat(MatmulPlan.of(pT.probe(), dC.probe(), dv.probe()).batch()).isEqualTo(5);
        check(pT, dC, dv);
    }

    @Test
    void broadcastFirstOperandAndLowerRankOperands() {
        check(contiguous(1, 3, 4), contiguous(2, 4, 5), contiguous(2, 3, 5));
        check(contiguous(3, 4), contiguous(2, 4, 5), contiguous(2, 3, 5));
    }

    @Test
    void columnMajorOutputIsComputedDirectly() {
        View cStore = contiguous(5, 3);
        View c = new View(s(3, 5), s(1, 3), cStore.data);
        MatmulPlan plan = MatmulPlan.of(contiguous(3, 4).probe(), contiguous(4, 5).probe(), c.probe());
        assertThat(plan.swapped()).isFalse();
        assertThat(plan.biasEpilogue()).isFalse();
        check(contiguous(3, 4), contiguous(4, 5), c);
    }

    @Test
    void operandsWithoutAUnitStrideArePlannedAsCopies() {
        View a = view(s(3, 4), s(8, 2)); // every other column
        View c = view(s(3, 5), s(10, 2));
        MatmulPlan plan = MatmulPlan.of(a.probe(), contiguous(4, 5).probe(), c.probe());
        assertThat(plan.copyA()).isTrue();
        assertThat(plan.tempC()).isTrue();
        check(a, contiguous(4, 5), c);
        View broadcastRows = view(s(3, 4), s(0, 1)); // row stride 0: overlapping rows
        assertThat(MatmulPlan.of(broadcastRows.probe(), contiguous(4, 5).probe(), contiguous(3, 5).probe()).copyA()).isTrue();
        check(broadcastRows, contiguous(4, 5), contiguous(3, 5));
    }

    @Test
    void vectorsAndSingleColumns() {
        check(contiguous(1, 4), contiguous(4, 5), contiguous(1, 5));
        check(contiguous(3, 4), contiguous(4, 1), contiguous(3, 1));
        check(contiguous(3, 1), contiguous(1, 5), contiguous(3, 5));
    }
}
