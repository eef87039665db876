package org.dinoj.model.backend.dnnl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.dinoj.model.backend.Activation;
import org.dinoj.model.backend.AdamWStep;
import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.Reduction;
import org.dinoj.model.backend.reference.ReferenceBackend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DnnlBackend against plain double-precision loops written here. Tolerance: f32 kernels with
 * f32 accumulation over at most a few dozen terms of values in [-1, 1] stay within 1e-5 relative
 * to the magnitudes involved; 2e-5 absolute leaves room for reordered sums and vectorised exp/erf.
 */
class DnnlBackendTest {
    private static final double TOL = 2e-5;

    private final Random random = new Random(42);
    private DnnlBackend backend;
    private HostArena arena;

    @BeforeEach
    void open() {
        backend = new DnnlBackend(Precision.F32);
        arena = new HostArena();
    }

    @AfterEach
    void close() {
        arena.close();
        backend.close();
    }

    private Tensor rand(long... shape) {
        Tensor t = arena.f32(shape);
        for (long i = 0; i < t.numel(); i++) {
            t.setFlat(i, random.nextDouble() * 2 - 1);
        }
        return t;
    }

    /** c[b, i, j] = sum_k a[b or 0, i, k] * b[b or 0, k, j] over the last two axes of 3-D views. */
    private static double[] naiveMatmul(Tensor a, Tensor b, long batch, long m, long k, long n) {
        double[] out = new double[(int) (batch * m * n)];
        for (long bi = 0; bi < batch; bi++) {
            for (long i = 0; i < m; i++) {
                for (long j = 0; j < n; j++) {
                    double s = 0;
                    for (long p = 0; p < k; p++) {
                        s += get3(a, bi, i, p) * get3(b, bi, p, j);
                    }
                    out[(int) ((bi * m + i) * n + j)] = s;
                }
            }
        }
        return out;
    }

    /** Element [b, i, j] of a rank-2 or rank-3 tensor; rank 2 or batch size 1 broadcasts. */
    private static double get3(Tensor t, long b, long i, long j) {
        if (t.rank() == 2) {
            return t.get(i, j);
        }
        return t.get(t.size(0) == 1 ? 0 : b, i, j);
    }

    private static void assertClose(Tensor actual, double[] expected, double tol) {
        float[] got = actual.toFloatArray();
        assertThat(got).hasSize(expected.length);
        for (int i = 0; i < got.length; i++) {
            assertThat((double) got[i]).as("element %d", i).isCloseTo(expected[i], within(tol));
        }
    }

    @Test
    void matmulPlain() {
        Tensor a = rand(5, 7);
        Tensor b = rand(7, 3);
        Tensor c = arena.f32(5, 3);
        backend.matmul(a, b, c);
        assertClose(c, naiveMatmul(a, b, 1, 5, 7, 3), TOL);
    }

    @Test
    void matmulWithTransposedViews() {
        Tensor at = rand(7, 5);
        Tensor bt = rand(3, 7);
        Tensor c = arena.f32(5, 3);
        backend.matmul(at.transpose(0, 1), bt.transpose(0, 1), c);
        assertClose(c, naiveMatmul(at.transpose(0, 1), bt.transpose(0, 1), 1, 5, 7, 3), TOL);
    }

    @Test
    void batchedMatmulWithBroadcastWeights() {
        // [4, 6, 8] @ [8, 5]: folded into one [24, 8] GEMM.
        Tensor a = rand(4, 6, 8);
        Tensor b = rand(8, 5);
        Tensor c = arena.f32(4, 6, 5);
        backend.matmul(a, b, c);
        assertClose(c, naiveMatmul(a, b, 4, 6, 8, 5), TOL);
    }

    @Test
    void batchedMatmulWithBroadcastInputAndSlicedRows() {
        // a broadcast over the batch; c's rows are a slice, so its batch and rows cannot fold.
        Tensor a = rand(1, 4, 3);
        Tensor b = rand(2, 3, 5);
        Tensor wide = arena.f32(2, 6, 5);
        Tensor c = wide.slice(1, 1, 4);
        backend.matmul(a, b, c);
        assertClose(c, naiveMatmul(a, b, 2, 4, 3, 5), TOL);
    }

    @Test
    void batchedMatmulOfTransposedKeys() {
        // Attention scores: q [3, 6, 4] @ k^T where k is [3, 6, 4], in 4-D with a head axis.
        Tensor q = rand(2, 3, 6, 4);
        Tensor k = rand(2, 3, 6, 4);
        Tensor s = arena.f32(2, 3, 6, 6);
        backend.matmul(q, k.transpose(-1, -2), s);
        double[] expected = new double[2 * 3 * 6 * 6];
        for (int b = 0; b < 2; b++) {
            for (int h = 0; h < 3; h++) {
                for (int i = 0; i < 6; i++) {
                    for (int j = 0; j < 6; j++) {
                        double sum = 0;
                        for (int d = 0; d < 4; d++) {
                            sum += q.get(b, h, i, d) * k.get(b, h, j, d);
                        }
                        expected[((b * 3 + h) * 6 + i) * 6 + j] = sum;
                    }
                }
            }
        }
        assertClose(s, expected, TOL);
    }

    @Test
    void matmulAlphaBiasBeta() {
        Tensor a = rand(2, 4, 3);
        Tensor b = rand(1, 3, 5);
        Tensor bias = rand(5);
        Tensor c = rand(2, 4, 5);
        double[] before = c.toDoubleArray();
        float alpha = 0.5f;
        float beta = 2f;
        backend.matmul(a, b, bias, c, alpha, beta);
        double[] ab = naiveMatmul(a, b, 2, 4, 3, 5);
        double[] expected = new double[ab.length];
        for (int i = 0; i < ab.length; i++) {
            expected[i] = alpha * ab[i] + bias.getFlat(i % 5) + beta * before[i];
        }
        assertClose(c, expected, TOL);
    }

    @Test
    void bf16MatmulRoundsInputsAndAccumulatesInF32() {
        assumeTrue(CpuIsa.hasBf16Math(), "this CPU (" + CpuIsa.describe() + ") has no bf16 instructions: "
                + "oneDNN keeps bf16-mode matmuls in f32 (bf16MatmulStaysF32WithoutBf16Instructions checks that)");
        Bf16Product p = bf16ModeProduct();
        // Products of bf16 values are exact in f32; only the f32 summation order differs.
        assertClose(p.result(), p.roundedInputs(), 1e-4);
        // bf16 inputs (8-bit mantissa) must visibly differ from the f32 product somewhere.
        assertThat(maxAbsDiff(p.result(), p.exact())).isGreaterThan(1e-4);
    }

    @Test
    void bf16MatmulStaysF32WithoutBf16Instructions() {
        assumeFalse(CpuIsa.hasBf16Math(), "this CPU (" + CpuIsa.describe() + ") has bf16 instructions: "
                + "bf16MatmulRoundsInputsAndAccumulatesInF32 checks the rounding");
        Bf16Product p = bf16ModeProduct();
        assertClose(p.result(), p.exact(), TOL);
        // The bf16-rounded product lies visibly elsewhere, so the check above tells the two apart.
        assertThat(maxAbsDiff(p.result(), p.roundedInputs())).isGreaterThan(1e-3);
    }

    /** A 16x64 by 64x32 matmul on a bf16 backend, with the exact and the bf16-rounded-input products. */
    private record Bf16Product(Tensor result, double[] exact, double[] roundedInputs) {
    }

    private Bf16Product bf16ModeProduct() {
        try (DnnlBackend bf16 = new DnnlBackend(Precision.BF16)) {
            Tensor a = rand(16, 64);
            Tensor b = rand(64, 32);
            Tensor c = arena.f32(16, 32);
            bf16.matmul(a, b, c);
            Tensor ar = arena.f32(16, 64).copyFrom(roundBf16(a.toFloatArray()));
            Tensor br = arena.f32(64, 32).copyFrom(roundBf16(b.toFloatArray()));
            return new Bf16Product(c, naiveMatmul(a, b, 1, 16, 64, 32), naiveMatmul(ar, br, 1, 16, 64, 32));
        }
    }

    private static double maxAbsDiff(Tensor actual, double[] expected) {
        float[] got = actual.toFloatArray();
        double max = 0;
        for (int i = 0; i < got.length; i++) {
            max = Math.max(max, Math.abs(got[i] - expected[i]));
        }
        return max;
    }

    private static float[] roundBf16(float[] values) {
        float[] out = values.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = DType.roundToBf16(out[i]);
        }
        return out;
    }

    @Test
    void layerNormForwardAndBackward() {
        int rows = 6;
        int d = 10;
        float eps = 1e-5f;
        Tensor x = rand(2, 3, d);
        Tensor gamma = rand(d);
        Tensor beta = rand(d);
        Tensor y = arena.f32(2, 3, d);
        Tensor mean = arena.f32(rows);
        Tensor var = arena.f32(rows);
        backend.layerNormForward(x, gamma, beta, eps, y, mean, var);

        Tensor dy = rand(2, 3, d);
        Tensor dx = arena.f32(2, 3, d);
        Tensor dgamma = arena.f32(d);
        Tensor dbeta = arena.f32(d);
        backend.layerNormBackward(x, gamma, mean, var, eps, dy, dx, dgamma, dbeta);

        double[] xs = x.toDoubleArray();
        double[] dys = dy.toDoubleArray();
        double[] ey = new double[rows * d];
        double[] edx = new double[rows * d];
        double[] emean = new double[rows];
        double[] evar = new double[rows];
        double[] edg = new double[d];
        double[] edb = new double[d];
        for (int r = 0; r < rows; r++) {
            double mu = 0;
            for (int j = 0; j < d; j++) {
                mu += xs[r * d + j];
            }
            mu /= d;
            double v = 0;
            for (int j = 0; j < d; j++) {
                v += (xs[r * d + j] - mu) * (xs[r * d + j] - mu);
            }
            v /= d;
            emean[r] = mu;
            evar[r] = v;
            double rstd = 1 / Math.sqrt(v + eps);
            double meanG = 0;
            double meanGx = 0;
            for (int j = 0; j < d; j++) {
                double xhat = (xs[r * d + j] - mu) * rstd;
                ey[r * d + j] = xhat * gamma.getFlat(j) + beta.getFlat(j);
                double g = dys[r * d + j] * gamma.getFlat(j);
                meanG += g / d;
                meanGx += g * xhat / d;
                edg[j] += dys[r * d + j] * xhat;
                edb[j] += dys[r * d + j];
            }
            for (int j = 0; j < d; j++) {
                double xhat = (xs[r * d + j] - mu) * rstd;
                double g = dys[r * d + j] * gamma.getFlat(j);
                edx[r * d + j] = rstd * (g - meanG - xhat * meanGx);
            }
        }
        assertClose(y, ey, 1e-4);
        assertClose(mean, emean, TOL);
        assertClose(var, evar, TOL);
        // rstd can reach ~3 for these inputs, scaling the error of the f32 row sums.
        assertClose(dx, edx, 1e-4);
        assertClose(dgamma, edg, 1e-4);
        assertClose(dbeta, edb, 1e-4);
    }

    @Test
    void softmaxAndLogSoftmaxForwardAndBackward() {
        for (boolean log : new boolean[] {false, true}) {
            Tensor x = rand(3, 7);
            Tensor y = arena.f32(3, 7);
            backend.softmaxForward(x, y, log);
            Tensor dy = rand(3, 7);
            Tensor dx = arena.f32(3, 7);
            backend.softmaxBackward(y, dy, dx, log);

            double[] ey = new double[21];
            double[] edx = new double[21];
            for (int r = 0; r < 3; r++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < 7; j++) {
                    max = Math.max(max, x.get(r, j));
                }
                double sum = 0;
                for (int j = 0; j < 7; j++) {
                    sum += Math.exp(x.get(r, j) - max);
                }
                double dot = 0;
                double dysum = 0;
                for (int j = 0; j < 7; j++) {
                    double p = Math.exp(x.get(r, j) - max) / sum;
                    ey[r * 7 + j] = log ? Math.log(p) : p;
                    dot += dy.get(r, j) * p;
                    dysum += dy.get(r, j);
                }
                for (int j = 0; j < 7; j++) {
                    double p = Math.exp(x.get(r, j) - max) / sum;
                    edx[r * 7 + j] = log ? dy.get(r, j) - p * dysum : p * (dy.get(r, j) - dot);
                }
            }
            assertClose(y, ey, TOL);
            assertClose(dx, edx, TOL);
        }
    }

    /**
     * The softmax backward of the attention probabilities ([B, H, N, N], rows of N = 50: several
     * blocks of the host loop, the last one partial) and of rows longer than a block, in place and
     * not: whichever path the backend takes (the host loop where oneDNN only has its reference
     * kernel, as on AVX2) gives oneDNN's primitive's result and the double-precision one.
     */
    @Test
    void softmaxBackwardMatchesOneDnnsPrimitiveOnAttentionShapesAndLongRows() {
        for (long[] shape : new long[][] {{2, 3, 50, 50}, {5, 4097}, {1, 1}}) {
            for (boolean inPlace : new boolean[] {false, true}) {
                Tensor x = rand(shape);
                Tensor y = arena.f32(shape);
                backend.softmaxForward(x, y, false);
                Tensor dy = rand(shape);
                double[] edx = naiveSoftmaxBackward(y, dy);
                Tensor onOneDnn = arena.f32(shape);
                backend.softmaxBackwardOnOneDnn(y, dy, onOneDnn);
                Tensor dx = inPlace ? dy : arena.f32(shape);
                backend.softmaxBackward(y, dy, dx, false);
                assertClose(dx, edx, TOL);
                assertClose(onOneDnn, edx, TOL);
            }
        }
    }

    /** dx = y (dy - y . dy) per last-axis row, in double from the f32 y and dy. */
    private static double[] naiveSoftmaxBackward(Tensor y, Tensor dy) {
        int d = (int) y.size(-1);
        int rows = (int) (y.numel() / d);
        double[] out = new double[rows * d];
        for (int r = 0; r < rows; r++) {
            double dot = 0;
            for (int j = 0; j < d; j++) {
                dot += y.getFlat((long) r * d + j) * dy.getFlat((long) r * d + j);
            }
            for (int j = 0; j < d; j++) {
                int i = r * d + j;
                out[i] = y.getFlat(i) * (dy.getFlat(i) - dot);
            }
        }
        return out;
    }

    @Test
    void activationsForwardAndBackward() {
        Tensor x = rand(4, 9);
        Tensor dy = rand(4, 9);
        for (Activation act : Activation.values()) {
            Tensor y = arena.f32(4, 9);
            Tensor dx = arena.f32(4, 9);
            backend.activationForward(act, x, y);
            backend.activationBackward(act, x, dy, dx);
            double[] ey = new double[36];
            double[] edx = new double[36];
            for (int i = 0; i < 36; i++) {
                double v = x.getFlat(i);
                double f;
                double df;
                switch (act) {
                    case GELU_ERF -> {
                        double cdf = 0.5 * (1 + erf(v / Math.sqrt(2)));
                        f = v * cdf;
                        df = cdf + v * Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI);
                    }
                    case SILU -> {
                        double s = 1 / (1 + Math.exp(-v));
                        f = v * s;
                        df = s * (1 + v * (1 - s));
                    }
                    case RELU -> {
                        f = Math.max(v, 0);
                        df = v > 0 ? 1 : 0;
                    }
                    default -> throw new IllegalStateException(act.name());
                }
                ey[i] = f;
                edx[i] = df * dy.getFlat(i);
            }
            assertClose(y, ey, TOL);
            assertClose(dx, edx, TOL);
        }
    }

    /** erf by its Maclaurin series: exact to double precision for |x| < 3. */
    private static double erf(double x) {
        double term = x;
        double sum = x;
        for (int n = 1; n < 100; n++) {
            term *= -x * x / n;
            sum += term / (2 * n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    @Test
    void binaryBroadcastsTheSecondOperand() {
        Tensor a = rand(3, 4);
        Tensor b = rand(1, 4);
        for (BinaryOp op : BinaryOp.values()) {
            Tensor out = arena.f32(3, 4);
            backend.binary(op, a, b, out);
            double[] expected = new double[12];
            for (int i = 0; i < 12; i++) {
                double x = a.getFlat(i);
                double y = b.getFlat(i % 4);
                expected[i] = switch (op) {
                    case ADD -> x + y;
                    case SUB -> x - y;
                    case MUL -> x * y;
                    case DIV -> x / y;
                    case MAX -> Math.max(x, y);
                    case MIN -> Math.min(x, y);
                };
            }
            // Division by values near 0 magnifies f32 rounding: compare relative to the result.
            float[] got = out.toFloatArray();
            for (int i = 0; i < 12; i++) {
                assertThat((double) got[i]).isCloseTo(expected[i], within(TOL * Math.max(1, Math.abs(expected[i]))));
            }
        }
    }

    @Test
    void linearInPlace() {
        Tensor x = rand(5, 3);
        double[] before = x.toDoubleArray();
        backend.linear(x, 3f, -1f, x);
        double[] expected = new double[15];
        for (int i = 0; i < 15; i++) {
            expected[i] = 3 * before[i] - 1;
        }
        assertClose(x, expected, TOL);
    }

    @Test
    void reductionsOverChosenAxes() {
        Tensor x = rand(3, 4, 5);
        for (Reduction op : Reduction.values()) {
            Tensor out = arena.f32(3, 1, 5);
            backend.reduce(op, x, out);
            double[] expected = new double[15];
            for (int i = 0; i < 3; i++) {
                for (int k = 0; k < 5; k++) {
                    double acc = op == Reduction.MAX ? Double.NEGATIVE_INFINITY : 0;
                    for (int j = 0; j < 4; j++) {
                        double v = x.get(i, j, k);
                        acc = switch (op) {
                            case SUM, MEAN -> acc + v;
                            case SUM_OF_SQUARES -> acc + v * v;
                            case MAX -> Math.max(acc, v);
                        };
                    }
                    expected[i * 5 + k] = op == Reduction.MEAN ? acc / 4 : acc;
                }
            }
            assertClose(out, expected, TOL);
        }
        Tensor all = arena.f32(1, 1, 1);
        backend.reduce(Reduction.SUM, x, all);
        double sum = 0;
        for (double v : x.toDoubleArray()) {
            sum += v;
        }
        assertThat(all.getFlat(0)).isCloseTo(sum, within(1e-4));
    }

    @Test
    void copyTransposesAndConvertsToBf16() {
        Tensor x = rand(3, 5);
        Tensor t = arena.allocate(DType.BF16, 5, 3);
        backend.copy(x.transpose(0, 1), t);
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 3; j++) {
                // Round to nearest even, as DType does.
                assertThat(t.get(i, j)).isEqualTo((double) DType.roundToBf16((float) x.get(j, i)));
            }
        }
    }

    @Test
    void fillContiguousAndStrided() {
        Tensor x = arena.f32(4, 6);
        backend.fill(x, 1.5f);
        assertThat(x.toFloatArray()).containsOnly(1.5f);
        Tensor column = x.slice(1, 2, 1);
        backend.fill(column, -2f);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 6; j++) {
                assertThat(x.get(i, j)).isEqualTo(j == 2 ? -2.0 : 1.5);
            }
        }
        backend.fill(x, 0f);
        assertThat(x.toFloatArray()).containsOnly(0f);
    }

    @Test
    void adamwMatchesTorchFormula() {
        Tensor p = rand(37);
        Tensor g = rand(37);
        Tensor m = rand(37);
        Tensor v = arena.f32(37);
        for (long i = 0; i < 37; i++) {
            v.setFlat(i, random.nextDouble());
        }
        double[] p0 = p.toDoubleArray();
        double[] m0 = m.toDoubleArray();
        double[] v0 = v.toDoubleArray();
        AdamWStep step = new AdamWStep(1e-2f, 0.9f, 0.999f, 1e-8f, 0.05f, 3);
        backend.adamw(p, g, m, v, step);
        double[] ep = new double[37];
        double[] em = new double[37];
        double[] ev = new double[37];
        for (int i = 0; i < 37; i++) {
            double gi = g.getFlat(i);
            em[i] = 0.9 * m0[i] + 0.1 * gi;
            ev[i] = 0.999 * v0[i] + 0.001 * gi * gi;
            double pi = p0[i] * (1 - 1e-2 * 0.05);
            double mhat = em[i] / (1 - Math.pow(0.9, 3));
            double vhat = ev[i] / (1 - Math.pow(0.999, 3));
            ep[i] = pi - 1e-2 * mhat / (Math.sqrt(vhat) + 1e-8);
        }
        assertClose(m, em, 1e-6);
        assertClose(v, ev, 1e-6);
        assertClose(p, ep, 1e-6);
    }

    @Test
    void samePrimitiveTwiceHitsTheCache() {
        Tensor a = rand(8, 8);
        Tensor b = rand(8, 8);
        Tensor c = arena.f32(8, 8);
        long misses = backend.cacheMisses();
        long hits = backend.cacheHits();
        backend.matmul(a, b, c);
        backend.matmul(rand(8, 8), rand(8, 8), arena.f32(8, 8));
        assertThat(backend.cacheMisses() - misses).isEqualTo(1);
        assertThat(backend.cacheHits() - hits).isEqualTo(1);
        // A different stride is a different primitive.
        backend.matmul(a, b.transpose(0, 1), c);
        assertThat(backend.cacheMisses() - misses).isEqualTo(2);
    }

    @Test
    void mismatchedShapesNameTheTensors() {
        assertThatThrownBy(() -> backend.matmul(rand(2, 3), rand(4, 5), arena.f32(2, 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("matmul shapes do not agree");
        assertThatThrownBy(() -> backend.copy(arena.allocate(DType.F64, 2), arena.f32(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no f64 kernels");
    }

    /**
     * oneDNN's layer norm reads rows as packed; strided rows (the CLS token of [B, N, D]) go through
     * dense staging and must give exactly the packed result, in both directions.
     */
    @Test
    void layerNormOnStridedRowsEqualsThePackedComputation() {
        long b = 4;
        long n = 5;
        long d = 33;
        Tensor tokens = rand(b, n, d);
        Tensor dTokens = rand(b, n, d);
        Tensor x = tokens.slice(1, 0, 1);
        Tensor dy = dTokens.slice(1, 2, 1);
        Tensor xPacked = arena.f32(b, 1, d);
        Tensor dyPacked = arena.f32(b, 1, d);
        backend.copy(x, xPacked);
        backend.copy(dy, dyPacked);
        Tensor gamma = rand(d);
        Tensor beta = rand(d);

        Tensor yPacked = arena.f32(b, 1, d);
        Tensor mean = arena.f32(b);
        Tensor variance = arena.f32(b);
        backend.layerNormForward(xPacked, gamma, beta, 1e-6f, yPacked, mean, variance);
        Tensor yStrided = arena.f32(b, 3, d).slice(1, 1, 1);
        Tensor mean2 = arena.f32(b);
        Tensor variance2 = arena.f32(b);
        backend.layerNormForward(x, gamma, beta, 1e-6f, yStrided, mean2, variance2);
        assertThat(yStrided.toFloatArray()).containsExactly(yPacked.toFloatArray());
        assertThat(mean2.toFloatArray()).containsExactly(mean.toFloatArray());

        Tensor dxPacked = arena.f32(b, 1, d);
        Tensor dgamma = arena.f32(d);
        Tensor dbeta = arena.f32(d);
        backend.layerNormBackward(xPacked, gamma, mean, variance, 1e-6f, dyPacked, dxPacked, dgamma, dbeta);
        Tensor dxStrided = arena.f32(b, 2, d).slice(1, 1, 1);
        Tensor dgamma2 = arena.f32(d);
        Tensor dbeta2 = arena.f32(d);
        backend.layerNormBackward(x, gamma, mean, variance, 1e-6f, dy, dxStrided, dgamma2, dbeta2);
        assertThat(dxStrided.toFloatArray()).containsExactly(dxPacked.toFloatArray());
        assertThat(dgamma2.toFloatArray()).containsExactly(dgamma.toFloatArray());
        assertThat(dbeta2.toFloatArray()).containsExactly(dbeta.toFloatArray());
    }

    @Test
    void broadcastAddIntoAStridedTokenSliceMatchesElementWiseSums() {
        // Position embeddings [1, P, D] added into the patch slice of tokens [B, 1 + P, D]: the
        // per-block path (D * P >= 1024 elements per block).
        long batch = 3;
        long patches = 16;
        long dim = 96;
        Tensor tokens = rand(batch, 1 + patches, dim);
        Tensor slice = tokens.slice(1, 1, patches);
        Tensor patchValues = rand(batch, patches, dim);
        Tensor positions = rand(1, patches, dim);
        double cls00 = tokens.get(0, 0, 0);
        backend.binary(BinaryOp.ADD, patchValues, positions, slice);
        for (long b = 0; b < batch; b++) {
            for (long p = 0; p < patches; p++) {
                for (long d = 0; d < dim; d++) {
                    assertThat(slice.get(b, p, d)).isCloseTo(patchValues.get(b, p, d) + positions.get(0, p, d), within(TOL));
                }
            }
        }
        // The class-token row outside the slice is untouched.
        assertThat(tokens.get(0, 0, 0)).isEqualTo(cls00);
    }
    @Test
    void everyBinaryOpIntoAStridedSliceOfSmallBlocksMatchesTheReferenceBackendExactly() {
        // Local crops: [6 crops x batch, 4 patches, D] with blocks of 4 x 32 = 128 < 1024 elements,
        // the host loop's case. One operation on two floats, rounded once to f32, is exact in both.
        long batch = 6;
        long patches = 4;
        long dim = 32;
        try (ReferenceBackend reference = new ReferenceBackend(Precision.F32)) {
            for (BinaryOp op : BinaryOp.values()) {
                Tensor tokens = rand(batch, 1 + patches, dim);
                Tensor expectedTokens = arena.f32(batch, 1 + patches, dim);
                reference.copy(tokens, expectedTokens);
                Tensor a = rand(batch, patches, dim);
                Tensor b = rand(1, patches, dim);
                backend.binary(op, a, b, tokens.slice(1, 1, patches));
                reference.binary(op, a, b, expectedTokens.slice(1, 1, patches));
                // The class-token rows outside the slice are compared too: untouched in both.
                assertThat(tokens.toFloatArray()).as(op.name()).containsExactly(expectedTokens.toFloatArray());

                // In place: the strided slice is both a and out.
                backend.binary(op, tokens.slice(1, 1, patches), b, tokens.slice(1, 1, patches));
                reference.binary(op, expectedTokens.slice(1, 1, patches), b, expectedTokens.slice(1, 1, patches));
                assertThat(tokens.toFloatArray()).as(op + " in place").containsExactly(expectedTokens.toFloatArray());
            }
        }
    }
}
