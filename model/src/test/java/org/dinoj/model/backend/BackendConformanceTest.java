package org.dinoj.model.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.dinoj.model.backend.reference.ReferenceBackend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;
import org.dinoj.model.testing.RandomTensors;
import org.dinoj.model.testing.TensorAssertions;
import org.dinoj.model.testing.Tolerance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every {@link Backend} operation, forward and backward, against {@link ReferenceBackend} of the
 * same precision, on random f32 data and shapes that include the odd sizes 1, 3, 7, 65 and 197,
 * strided (transposed, sliced) operands, broadcasting and in-place calls. A backend's test
 * subclasses this and implements {@link #createBackend()}; the precision is the backend's own.
 *
 * <p>Inputs are made on the host, copied to the backend with {@link #toBackend} (its
 * {@code copy}), views are taken identically on both sides, and results come back through
 * {@link #toHost}. Output buffers start filled with a finite garbage value on both sides, so a
 * backend that accumulates into an output instead of writing it fails.
 *
 * <h2>Tolerances</h2>
 * An element passes when {@code |x - ref| <= floor + rel * (|ref| + scale)}:
 * <ul>
 *   <li>{@code rel = 1e-5}. The f32 unit roundoff is u = 2^-24 = 6e-8; an op that rounds a few
 *       times per element is within ~10u = 6e-7 of the exact (double) reference, and a dot
 *       product of length K summed pairwise or in blocks (as BLAS libraries do) within about
 *       sqrt(K) u or log2(K) u of its magnitude: 197 terms give 8.4e-7. 1e-5 leaves a margin of
 *       10x over that while a wrong formula or index is off by far more.</li>
 *   <li>{@code scale} is the magnitude whose rounding the result inherits, which |ref| misses when
 *       terms cancel: for matmul {@code |alpha| sum_k |a_ik||b_kj| + |bias_j| + |beta c_ij|}; for
 *       sums {@code sum |x|}; for a - b {@code |a| + |b|}; each test states its own.</li>
 *   <li>{@code floor = Float.MIN_NORMAL}: backends may flush f32 subnormals to zero.</li>
 *   <li>Matmul with {@link Precision#BF16}: the reference rounds a and b to bf16 (nearest even)
 *       exactly as the contract says, but a backend may round differently (another rounding mode,
 *       or keep one operand in f32). Each rounded input carries a relative error of at most the
 *       bf16 unit roundoff u = 2^-8, so each product a*b differs by at most (2u + u^2)|a b| between
 *       two such roundings; summed, {@code (2u + u^2) sum_k |a_ik||b_kj|}, which is added to the
 *       f32 rel: {@code rel = 1e-5 + 2^-7 + 2^-16}. Everything but matmul stays f32 in both
 *       precisions (see {@link Precision}) and keeps the f32 tolerance.</li>
 *   <li>Copies, dtype conversions (round to nearest even) and fill must be exact.</li>
 * </ul>
 */
public abstract class BackendConformanceTest {
    /** f32 relative tolerance; see the class comment for its derivation. */
    protected static final double F32_REL = 1e-5;
    /** bf16 unit roundoff (8 significant bits, round to nearest). */
    protected static final double BF16_UNIT_ROUNDOFF = 0x1p-8;
    /** Below the smallest normal f32, values may be flushed to zero. */
    protected static final double FLOOR = Float.MIN_NORMAL;
    /** Finite garbage that output buffers start with. */
    private static final float GARBAGE = 777f;

    protected Backend backend;
    protected ReferenceBackend reference;
    protected RandomTensors random;
    private HostArena host;
    private TensorAllocator backendArena;

    /** The backend under test; called before every test, closed after it. */
    protected abstract Backend createBackend();

    @BeforeEach
    void openBackends() {
        backend = createBackend();
        reference = new ReferenceBackend(backend.precision());
        random = new RandomTensors(20240917L);
        host = new HostArena();
        backendArena = backend.newArena();
    }

    @AfterEach
    void closeBackends() throws Exception {
        if (backendArena instanceof AutoCloseable closeable) {
            closeable.close();
        }
        host.close();
        backend.close();
    }

    /** A copy of a host tensor in the backend's memory (same dtype and shape, contiguous). */
    protected Tensor toBackend(Tensor hostTensor) {
        Tensor t = backendArena.allocate(hostTensor.dtype(), hostTensor.shape());
        backend.copy(hostTensor, t);
        backend.synchronize();
        return t;
    }

    /** A contiguous host copy of a backend tensor (any strides). */
    protected Tensor toHost(Tensor backendTensor) {
        backend.synchronize();
        Tensor t = host.allocate(backendTensor.dtype(), backendTensor.shape());
        backend.copy(backendTensor, t);
        backend.synchronize();
        return t;
    }

    /** The same logical tensor on the host (for the reference) and on the backend. */
    protected record Operand(Tensor host, Tensor device) {
        Operand transpose(int dim0, int dim1) {
            return new Operand(host.transpose(dim0, dim1), device.transpose(dim0, dim1));
        }

        Operand slice(int dim, long start, long length) {
            return new Operand(host.slice(dim, start, length), device.slice(dim, start, length));
        }

        Operand permute(int... order) {
            return new Operand(host.permute(order), device.permute(order));
        }

        Operand view(long... shape) {
            return new Operand(host.view(shape), device.view(shape));
        }

        long[] shape() {
            return host.shape();
        }

        double[] values() {
            return host.toDoubleArray();
        }
    }

    private Operand upload(Tensor hostTensor) {
        return new Operand(hostTensor, toBackend(hostTensor));
    }

    /** Normal samples of the given mean and standard deviation (f32). */
    protected Operand normalWith(double mean, double std, long... shape) {
        return upload(random.normal(host.allocate(DType.F32, shape), mean, std));
    }

    protected Operand normal(long... shape) {
        return normalWith(0, 1, shape);
    }

    protected Operand uniform(double low, double high, long... shape) {
        return upload(random.uniform(host.allocate(DType.F32, shape), low, high));
    }

    /** An output buffer: f32 garbage on both sides. */
    protected Operand output(DType dtype, long... shape) {
        Tensor t = host.allocate(dtype, shape);
        long n = t.numel();
        for (long i = 0; i < n; i++) {
            t.setFlat(i, GARBAGE);
        }
        return upload(t);
    }

    protected Operand output(long... shape) {
        return output(DType.F32, shape);
    }

    /** Asserts the backend's result in {@code out} matches the reference's within {@code rel} and scale. */
    protected void assertMatches(String what, Operand out, double rel, double[] scale) {
        TensorAssertions.assertClose(backend.name() + " " + what, toHost(out.device()), out.host(),
                new Tolerance(FLOOR, rel), scale);
    }

    protected void assertExact(String what, Operand out) {
        TensorAssertions.assertClose(backend.name() + " " + what, toHost(out.device()), out.host(), Tolerance.EXACT);
    }

    private static long[] dims(long... d) {
        return d;
    }

    // ---------------------------------------------------------------- matmul

    private double matmulRel() {
        return backend.precision() == Precision.BF16
                ? F32_REL + 2 * BF16_UNIT_ROUNDOFF + BF16_UNIT_ROUNDOFF * BF16_UNIT_ROUNDOFF
                : F32_REL;
    }

    /** Runs c = alpha a @ b + bias + beta c on both backends and compares c. */
    private void checkMatmul(String what, Operand a, Operand b, Operand bias, Operand c, float alpha, float beta) {
        double[] scale = matmulMagnitude(a.host(), b.host(), bias == null ? null : bias.host(), c.host(), alpha, beta);
        reference.matmul(a.host(), b.host(), bias == null ? null : bias.host(), c.host(), alpha, beta);
        backend.matmul(a.device(), b.device(), bias == null ? null : bias.device(), c.device(), alpha, beta);
        assertMatches("matmul " + what, c, matmulRel(), scale);
    }

    /** |alpha| |a| @ |b| + |bias| + |beta c|, in double: what the rounding errors of c scale with. */
    private double[] matmulMagnitude(Tensor a, Tensor b, Tensor bias, Tensor c, float alpha, float beta) {
        try (HostArena scratch = new HostArena()) {
            Tensor cAbs = absCopy(scratch, c);
            new ReferenceBackend(Precision.F32).matmul(absCopy(scratch, a), absCopy(scratch, b),
                    bias == null ? null : absCopy(scratch, bias), cAbs, Math.abs(alpha), beta == 0 ? 0f : Math.abs(beta));
            return cAbs.toDoubleArray();
        }
    }

    private static Tensor absCopy(HostArena arena, Tensor t) {
        double[] v = t.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.abs(v[i]);
        }
        return arena.allocate(DType.F64, t.shape()).copyFrom(v);
    }

    static Stream<Arguments> matmulSizes() {
        return Stream.of(
                Arguments.of(1, 1, 1), Arguments.of(3, 7, 65), Arguments.of(197, 65, 197),
                Arguments.of(65, 197, 3), Arguments.of(7, 1, 197), Arguments.of(1, 197, 1), Arguments.of(197, 3, 7));
    }

    @ParameterizedTest(name = "[{0}, {1}] @ [{1}, {2}]")
    @MethodSource("matmulSizes")
    void matmul2d(int m, int k, int n) {
        checkMatmul("2-D", normal(m, k), normal(k, n), null, output(m, n), 1f, 0f);
    }

    @ParameterizedTest(name = "transpose a {0}, transpose b {1}")
    @MethodSource("transposeFlags")
    void matmulWithTransposedOperands(boolean transposeA, boolean transposeB) {
        int m = 65;
        int k = 197;
        int n = 7;
        Operand a = transposeA ? normal(k, m).transpose(0, 1) : normal(m, k);
        Operand b = transposeB ? normal(n, k).transpose(0, 1) : normal(k, n);
        checkMatmul("transposed operands", a, b, null, output(m, n), 1f, 0f);
    }

    static Stream<Arguments> transposeFlags() {
        return Stream.of(Arguments.of(true, false), Arguments.of(false, true), Arguments.of(true, true));
    }

    @Test
    void matmulWithSlicedOperandsAndOutput() {
        // As attention does with a fused qkv projection: q and k are column slices of [N, 3D],
        // so their row stride (3D) exceeds their width D; the output is a column slice too.
        int tokens = 7;
        int d = 65;
        Operand qkv = normal(tokens, 3 * d);
        Operand q = qkv.slice(1, 0, d);
        Operand k = qkv.slice(1, d, d);
        Operand out = output(tokens, 2 * tokens).slice(1, tokens, tokens);
        checkMatmul("q @ k^T on slices", q, k.transpose(0, 1), null, out, 0.125f, 0f);
    }

    @ParameterizedTest(name = "alpha {0}, beta {1}")
    @MethodSource("alphaBeta")
    void matmulWithBiasAlphaAndBeta(float alpha, float beta) {
        int m = 7;
        int k = 65;
        int n = 197;
        Operand c = normal(m, n);
        checkMatmul("with bias", normal(m, k), normal(k, n), normal(n), c, alpha, beta);
    }

    static Stream<Arguments> alphaBeta() {
        return Stream.of(Arguments.of(1f, 0f), Arguments.of(0.5f, 1f), Arguments.of(-2f, -0.25f), Arguments.of(1f, 1f));
    }

    @Test
    void matmulAccumulatesIntoCWithoutBias() {
        checkMatmul("c += a @ b", normal(65, 3), normal(3, 197), null, normal(65, 197), 1f, 1f);
    }

    static Stream<Arguments> batchedShapes() {
        return Stream.of(
                Arguments.of(dims(3, 7, 65), dims(3, 65, 197)),
                Arguments.of(dims(3, 7, 65), dims(1, 65, 197)),
                Arguments.of(dims(1, 197, 3), dims(7, 3, 1)),
                Arguments.of(dims(2, 3, 7, 65), dims(2, 3, 65, 7)),
                Arguments.of(dims(2, 1, 7, 3), dims(1, 3, 3, 65)),
                Arguments.of(dims(1, 1, 1, 1), dims(3, 1, 1, 1)));
    }

    @ParameterizedTest(name = "{0} @ {1}")
    @MethodSource("batchedShapes")
    void matmulBatched(long[] aShape, long[] bShape) {
        int rank = aShape.length;
        long[] cShape = new long[rank];
        for (int i = 0; i < rank - 2; i++) {
            cShape[i] = Math.max(aShape[i], bShape[i]);
        }
        cShape[rank - 2] = aShape[rank - 2];
        cShape[rank - 1] = bShape[rank - 1];
        checkMatmul("batched", normal(aShape), normal(bShape), null, output(cShape), 1f, 0f);
    }

    @Test
    void matmulBatchedWithTransposedKeysAsAttentionScores() {
        // scores [B, H, N, N] = q [B, H, N, d] @ k^T, k^T a transposed view of k [B, H, N, d].
        Operand q = normal(2, 3, 197, 7);
        Operand k = normal(2, 3, 197, 7);
        checkMatmul("q @ k^T batched", q, k.transpose(2, 3), null, output(2, 3, 197, 197), 0.25f, 0f);
    }

    @Test
    void matmulBatchedFromPermutedHeads() {
        // q [B, N, H, d] permuted to [B, H, N, d] without copying: strides are not row-major.
        Operand q = normal(2, 65, 3, 7).permute(0, 2, 1, 3);
        Operand v = normal(2, 3, 7, 65);
        checkMatmul("permuted heads", q, v, null, output(2, 3, 65, 65), 1f, 0f);
    }

    // ---------------------------------------------------------------- layer norm

    static Stream<long[]> normShapes() {
        return Stream.of(dims(1, 1), dims(3, 7), dims(197, 65), dims(2, 7, 197), dims(1, 3), dims(65, 1, 3));
    }

    @ParameterizedTest(name = "x {0}")
    @MethodSource("normShapes")
    void layerNormForward(long[] shape) {
        checkLayerNormForward(normalWith(1, 2, shape));
    }

    @Test
    void layerNormForwardOnStridedRows() {
        // The CLS token of each image: rows of x are a slice [B, 1, D] of [B, N, D].
        checkLayerNormForward(normalWith(0, 3, 7, 65, 197).slice(1, 0, 1));
    }

    private void checkLayerNormForward(Operand x) {
        long d = x.host().size(-1);
        int rows = (int) (x.host().numel() / d);
        Operand gamma = normalWith(1, 0.5, d);
        Operand beta = normal(d);
        Operand y = output(x.shape());
        Operand mean = output(rows);
        Operand variance = output(rows);
        float eps = 1e-5f;
        reference.layerNormForward(x.host(), gamma.host(), beta.host(), eps, y.host(), mean.host(), variance.host());
        backend.layerNormForward(x.device(), gamma.device(), beta.device(), eps, y.device(), mean.device(),
                variance.device());
        double[] xv = x.values();
        double[] g = gamma.values();
        double[] b = beta.values();
        double[] mv = mean.values();
        double[] vv = variance.values();
        double[] yScale = new double[xv.length];
        double[] meanScale = new double[rows];
        double[] varScale = new double[rows];
        for (int r = 0; r < rows; r++) {
            double rstd = 1 / Math.sqrt(vv[r] + eps);
            for (int j = 0; j < d; j++) {
                int i = (int) (r * d + j);
                // y = xhat g + b; xhat inherits the rounding of x - mean, about |x| / std.
                yScale[i] = Math.abs(g[j]) * (Math.abs(xv[i]) * rstd + 1) + Math.abs(b[j]);
                meanScale[r] += Math.abs(xv[i]) / d;
                varScale[r] += xv[i] * xv[i] / d; // allows E[x^2] - E[x]^2 formulations
            }
        }
        assertMatches("layerNormForward y", y, F32_REL, yScale);
        assertMatches("layerNormForward mean", mean, F32_REL, meanScale);
        assertMatches("layerNormForward variance", variance, F32_REL, varScale);
    }

    @ParameterizedTest(name = "x {0}")
    @MethodSource("normShapes")
    void layerNormBackward(long[] shape) {
        Operand x = normalWith(1, 2, shape);
        long d = shape[shape.length - 1];
        int rows = (int) (x.host().numel() / d);
        Operand gamma = normalWith(1, 0.5, d);
        float eps = 1e-5f;
        // Both sides get the reference's saved statistics, so this checks the backward alone.
        Operand stats = output(2, rows);
        Tensor mean = stats.host().slice(0, 0, 1).view(rows);
        Tensor variance = stats.host().slice(0, 1, 1).view(rows);
        try (HostArena scratch = new HostArena()) {
            reference.layerNormForward(x.host(), gamma.host(), scratch.allocate(DType.F32, d),
                    eps, scratch.allocate(DType.F32, shape), mean, variance);
        }
        Operand meanOp = upload(copyOf(mean));
        Operand varOp = upload(copyOf(variance));
        Operand dy = normal(shape);
        Operand dx = output(shape);
        Operand dgamma = output(d);
        Operand dbeta = output(d);
        reference.layerNormBackward(x.host(), gamma.host(), meanOp.host(), varOp.host(), eps, dy.host(), dx.host(),
                dgamma.host(), dbeta.host());
        backend.layerNormBackward(x.device(), gamma.device(), meanOp.device(), varOp.device(), eps, dy.device(),
                dx.device(), dgamma.device(), dbeta.device());
        double[] xv = x.values();
        double[] g = gamma.values();
        double[] dyv = dy.values();
        double[] mv = meanOp.values();
        double[] vv = varOp.values();
        double[] dxScale = new double[xv.length];
        double[] dgammaScale = new double[(int) d];
        double[] dbetaScale = new double[(int) d];
        for (int r = 0; r < rows; r++) {
            double rstd = 1 / Math.sqrt(vv[r] + eps);
            double meanAbsG = 0;
            double meanAbsGXhat = 0;
            for (int j = 0; j < d; j++) {
                int i = (int) (r * d + j);
                double xhat = (xv[i] - mv[r]) * rstd;
                meanAbsG += Math.abs(g[j] * dyv[i]) / d;
                meanAbsGXhat += Math.abs(g[j] * dyv[i] * xhat) / d;
                dgammaScale[j] += Math.abs(dyv[i] * xhat);
                dbetaScale[j] += Math.abs(dyv[i]);
            }
            for (int j = 0; j < d; j++) {
                int i = (int) (r * d + j);
                double xhat = (xv[i] - mv[r]) * rstd;
                // dx = rstd (g dy - mean(g dy) - xhat mean(g dy xhat)): the terms before they cancel.
                dxScale[i] = rstd * (Math.abs(g[j] * dyv[i]) + meanAbsG + (Math.abs(xhat) + 1) * meanAbsGXhat);
            }
        }
        assertMatches("layerNormBackward dx", dx, F32_REL, dxScale);
        assertMatches("layerNormBackward dgamma", dgamma, F32_REL, dgammaScale);
        assertMatches("layerNormBackward dbeta", dbeta, F32_REL, dbetaScale);
    }

    private Tensor copyOf(Tensor t) {
        Tensor c = host.allocate(t.dtype(), t.shape());
        reference.copy(t, c);
        return c;
    }

    // ---------------------------------------------------------------- softmax

    static Stream<Arguments> softmaxCases() {
        List<Arguments> cases = new ArrayList<>();
        for (long[] shape : List.of(dims(1, 1), dims(3, 7), dims(7, 65), dims(2, 3, 197), dims(65, 1), dims(1, 197))) {
            cases.add(Arguments.of(shape, false));
            cases.add(Arguments.of(shape, true));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "x {0}, log {1}")
    @MethodSource("softmaxCases")
    void softmaxForward(long[] shape, boolean log) {
        Operand x = normalWith(0, 2, shape);
        Operand y = output(shape);
        double[] scale = softmaxScale(x.values(), shape[shape.length - 1], log);
        reference.softmaxForward(x.host(), y.host(), log);
        backend.softmaxForward(x.device(), y.device(), log);
        assertMatches((log ? "log-" : "") + "softmaxForward", y, F32_REL, scale);
    }

    @ParameterizedTest(name = "log {0}")
    @ValueSource(booleans = {false, true})
    void softmaxForwardInPlaceOnStridedRows(boolean log) {
        // Attention scores of one head: [N, N] slice of [H, N, N] seen through a transpose.
        Operand x = normalWith(0, 2, 3, 65, 65).slice(0, 1, 1).transpose(1, 2);
        double[] scale = softmaxScale(x.values(), 65, log);
        reference.softmaxForward(x.host(), x.host(), log);
        backend.softmaxForward(x.device(), x.device(), log);
        assertMatches((log ? "log-" : "") + "softmaxForward in place", x, F32_REL, scale);
    }

    /**
     * softmax: exp turns an absolute error in x - max into a relative one, so scale = |y| |x - max|;
     * log-softmax: y = x - max - logsumexp cancels, so scale = |x| + |max| + log D.
     */
    private static double[] softmaxScale(double[] x, long d, boolean log) {
        double[] scale = new double[x.length];
        for (int base = 0; base < x.length; base += (int) d) {
            double max = Double.NEGATIVE_INFINITY;
            double sum = 0;
            for (int j = 0; j < d; j++) {
                max = Math.max(max, x[base + j]);
            }
            for (int j = 0; j < d; j++) {
                sum += Math.exp(x[base + j] - max);
            }
            for (int j = 0; j < d; j++) {
                double shifted = Math.abs(x[base + j] - max);
                scale[base + j] = log
                        ? Math.abs(x[base + j]) + Math.abs(max) + Math.log(d)
                        : Math.exp(x[base + j] - max) / sum * shifted;
            }
        }
        return scale;
    }

    @ParameterizedTest(name = "y {0}, log {1}")
    @MethodSource("softmaxCases")
    void softmaxBackward(long[] shape, boolean log) {
        long d = shape[shape.length - 1];
        Tensor yHost = host.allocate(DType.F32, shape);
        reference.softmaxForward(random.normal(host.allocate(DType.F32, shape), 0, 2), yHost, log);
        Operand y = upload(yHost);
        Operand dy = normal(shape);
        Operand dx = output(shape);
        reference.softmaxBackward(y.host(), dy.host(), dx.host(), log);
        backend.softmaxBackward(y.device(), dy.device(), dx.device(), log);
        double[] yv = y.values();
        double[] dyv = dy.values();
        double[] scale = new double[yv.length];
        for (int base = 0; base < yv.length; base += (int) d) {
            double sum = 0;
            for (int j = 0; j < d; j++) {
                sum += log ? Math.abs(dyv[base + j]) : Math.abs(dyv[base + j] * yv[base + j]);
            }
            for (int j = 0; j < d; j++) {
                int i = base + j;
                // softmax: dx = y (dy - sum(dy y)); log-softmax: dx = dy - exp(y) sum(dy), where exp of a
                // rounded y carries a relative error growing with |y|.
                scale[i] = log
                        ? Math.abs(dyv[i]) + Math.exp(yv[i]) * (1 + Math.abs(yv[i])) * sum
                        : Math.abs(yv[i]) * (Math.abs(dyv[i]) + sum);
            }
        }
        assertMatches((log ? "log-" : "") + "softmaxBackward", dx, F32_REL, scale);
    }

    // ---------------------------------------------------------------- fused attention

    /** [B, N, H, hd]: odd token counts (1, 7, 65, and 50 and 257 of the ViT-S/14 crops' shapes at small B), head dims 8 to 64. */
    static Stream<Arguments> attentionCases() {
        return Stream.of(Arguments.of(2, 1, 2, 8), Arguments.of(2, 7, 3, 16), Arguments.of(1, 65, 2, 64),
                Arguments.of(1, 50, 1, 64), Arguments.of(1, 257, 1, 32), Arguments.of(3, 7, 2, 24));
    }

    /**
     * A {@code [B, N, 3D]} qkv operand whose rows are strided (a slice of {@code [B, N, 3D + 5]}),
     * as the fused kernels must accept any batch and token strides.
     */
    private Operand stridedQkv(int batch, int tokens, int heads, int headDim) {
        long width = 3L * heads * headDim;
        return normalWith(0, 1, batch, tokens, width + 5).slice(2, 3, width);
    }

    /**
     * Tolerance scale of a fused attention result: the online softmax computes scores in f32, and
     * exp turns an absolute score error (~ f32 rounding of scale sum |q||k| <= max |S| + the dot
     * product's own magnitude) into a relative error of every probability; each output is a sum
     * of probability-weighted terms bounded by the tensor's largest |value|. So the scale is
     * {@code max|ref| * (1 + max|S|) * hd}, with the f32 rel: a wrong index or a missing rescale
     * is off by O(max|ref|), orders of magnitude more.
     */
    private static double[] attentionScale(Tensor reference, double maxScore, int headDim) {
        double[] values = reference.toDoubleArray();
        double max = 0;
        for (double v : values) {
            max = Math.max(max, Math.abs(v));
        }
        double[] scale = new double[values.length];
        java.util.Arrays.fill(scale, max * (1 + maxScore) * headDim);
        return scale;
    }

    /** max over (b, h, i, j) of |scale q_i . k_j| of a host qkv. */
    private static double maxAbsScore(Tensor qkv, int heads, int headDim, float scale) {
        long dim = (long) heads * headDim;
        double max = 0;
        for (long b = 0; b < qkv.size(0); b++) {
            for (int h = 0; h < heads; h++) {
                for (long i = 0; i < qkv.size(1); i++) {
                    for (long j = 0; j < qkv.size(1); j++) {
                        double s = 0;
                        for (int d = 0; d < headDim; d++) {
                            s += qkv.get(b, i, (long) h * headDim + d) * qkv.get(b, j, dim + (long) h * headDim + d);
                        }
                        max = Math.max(max, Math.abs(scale * s));
                    }
                }
            }
        }
        return max;
    }

    @ParameterizedTest(name = "B {0}, N {1}, H {2}, hd {3}")
    @MethodSource("attentionCases")
    void attentionForward(int batch, int tokens, int heads, int headDim) {
        float scale = (float) (1 / Math.sqrt(headDim));
        Operand qkv = stridedQkv(batch, tokens, heads, headDim);
        Operand out = output(batch, tokens, (long) heads * headDim);
        Operand lse = output(batch, heads, tokens);
        reference.attentionForward(qkv.host(), heads, scale, out.host(), lse.host());
        backend.attentionForward(qkv.device(), heads, scale, out.device(), lse.device());
        double maxScore = maxAbsScore(qkv.host(), heads, headDim, scale);
        assertMatches("attentionForward out", out, F32_REL, attentionScale(out.host(), maxScore, headDim));
        assertMatches("attentionForward lse", lse, F32_REL, attentionScale(lse.host(), maxScore, headDim));
    }

    @ParameterizedTest(name = "B {0}, N {1}, H {2}, hd {3}")
    @MethodSource("attentionCases")
    void attentionBackward(int batch, int tokens, int heads, int headDim) {
        float scale = (float) (1 / Math.sqrt(headDim));
        long dim = (long) heads * headDim;
        Operand qkv = stridedQkv(batch, tokens, heads, headDim);
        // out and lse from the reference on both sides, so only the backward differs.
        Tensor outHost = host.allocate(DType.F32, batch, tokens, dim);
        Tensor lseHost = host.allocate(DType.F32, batch, heads, tokens);
        reference.attentionForward(qkv.host(), heads, scale, outHost, lseHost);
        Operand out = upload(outHost);
        Operand lse = upload(lseHost);
        Operand dOut = normal(batch, tokens, dim);
        Operand dQkv = output(batch, tokens, 3 * dim);
        reference.attentionBackward(qkv.host(), out.host(), lse.host(), dOut.host(), heads, scale, dQkv.host());
        backend.attentionBackward(qkv.device(), out.device(), lse.device(), dOut.device(), heads, scale, dQkv.device());
        double maxScore = maxAbsScore(qkv.host(), heads, headDim, scale);
        // dS = P (dP - rowsum(dO out)) cancels: its terms are as large as |dO| |v| hd, hence the extra hd.
        assertMatches("attentionBackward dQkv", dQkv, F32_REL,
                attentionScale(dQkv.host(), maxScore + headDim, headDim));
    }

    // ---------------------------------------------------------------- L2 normalisation

    static Stream<long[]> l2Shapes() {
        return Stream.of(dims(1, 1), dims(3, 7), dims(197, 65), dims(2, 7, 197), dims(65, 1));
    }

    @ParameterizedTest(name = "x {0}")
    @MethodSource("l2Shapes")
    void l2NormalizeForward(long[] shape) {
        checkL2NormalizeForward(normalWith(0.5, 2, shape), 1e-12f);
    }

    @Test
    void l2NormalizeForwardOnStridedRowsWithClampedNorms() {
        // Rows of a transposed view; every other row is tiny, so its norm falls below eps and y = x / eps.
        Tensor x = random.normal(host.allocate(DType.F32, 65, 6), 0, 1);
        for (long c = 0; c < 6; c += 2) {
            for (long r = 0; r < 65; r++) {
                x.set(x.get(r, c) * 1e-4, r, c);
            }
        }
        checkL2NormalizeForward(upload(x).transpose(0, 1), 1e-2f);
    }

    private void checkL2NormalizeForward(Operand x, float eps) {
        long d = x.host().size(-1);
        int rows = (int) (x.host().numel() / d);
        Operand y = output(x.shape());
        Operand norm = output(rows);
        reference.l2NormalizeForward(x.host(), eps, y.host(), norm.host());
        backend.l2NormalizeForward(x.device(), eps, y.device(), norm.device());
        // y = x / max(||x||, eps) and ||x|| are sums of positive terms and a quotient: |ref| is their scale.
        assertMatches("l2NormalizeForward y", y, F32_REL, null);
        assertMatches("l2NormalizeForward norm", norm, F32_REL, null);
    }

    @ParameterizedTest(name = "y {0}")
    @MethodSource("l2Shapes")
    void l2NormalizeBackward(long[] shape) {
        checkL2NormalizeBackward(normalWith(0.5, 2, shape), 1e-12f, false);
    }

    @Test
    void l2NormalizeBackwardWithClampedNormsInPlace() {
        Tensor x = random.normal(host.allocate(DType.F32, 6, 65), 0, 1);
        for (long c = 0; c < 65; c++) {
            x.set(x.get(1, c) * 1e-4, 1, c);
            x.set(x.get(4, c) * 1e-4, 4, c);
        }
        checkL2NormalizeBackward(upload(x), 1e-2f, true);
    }

    private void checkL2NormalizeBackward(Operand x, float eps, boolean inPlace) {
        long d = x.host().size(-1);
        int rows = (int) (x.host().numel() / d);
        // Both sides get the reference's forward results, so this checks the backward alone.
        Tensor yHost = host.allocate(DType.F32, x.shape());
        Tensor normHost = host.allocate(DType.F32, rows);
        reference.l2NormalizeForward(x.host(), eps, yHost, normHost);
        Operand y = upload(yHost);
        Operand norm = upload(normHost);
        Operand dy = normal(x.shape());
        Operand dx = inPlace ? dy : output(x.shape());
        double[] yv = y.values();
        double[] dyv = dy.values();
        double[] nv = norm.values();
        double[] scale = new double[yv.length];
        for (int r = 0; r < rows; r++) {
            double dotScale = 0;
            for (int j = 0; j < d; j++) {
                dotScale += Math.abs(yv[(int) (r * d + j)] * dyv[(int) (r * d + j)]);
            }
            for (int j = 0; j < d; j++) {
                int i = (int) (r * d + j);
                // dx = (dy - y (y . dy)) / ||x||: the terms before they cancel, over the denominator.
                scale[i] = (Math.abs(dyv[i]) + Math.abs(yv[i]) * dotScale) / Math.max(nv[r], eps);
            }
        }
        reference.l2NormalizeBackward(y.host(), norm.host(), eps, dy.host(), dx.host());
        backend.l2NormalizeBackward(y.device(), norm.device(), eps, dy.device(), dx.device());
        assertMatches("l2NormalizeBackward dx" + (inPlace ? " in place" : ""), dx, F32_REL, scale);
    }

    // ---------------------------------------------------------------- activations

    static Stream<Arguments> activationCases() {
        List<Arguments> cases = new ArrayList<>();
        for (Activation activation : Activation.values()) {
            for (long[] shape : List.of(dims(1), dims(3, 7), dims(65, 197), dims(2, 1, 3))) {
                cases.add(Arguments.of(activation, shape));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("activationCases")
    void activationForward(Activation activation, long[] shape) {
        Operand x = normalWith(0, 2, shape);
        Operand y = output(shape);
        reference.activationForward(activation, x.host(), y.host());
        backend.activationForward(activation, x.device(), y.device());
        // f(x) = x * (something in [0, 1]): its rounding scales with |x| (GELU's 1 + erf cancels for x < 0).
        assertMatches(activation + " forward", y, F32_REL, abs(x.values()));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("activationCases")
    void activationBackward(Activation activation, long[] shape) {
        Operand x = normalWith(0, 2, shape);
        Operand dy = normal(shape);
        Operand dx = output(shape);
        reference.activationBackward(activation, x.host(), dy.host(), dx.host());
        backend.activationBackward(activation, x.device(), dy.device(), dx.device());
        assertMatches(activation + " backward", dx, F32_REL, activationBackwardScale(x.values(), dy.values()));
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void activationInPlace(Activation activation) {
        long[] shape = dims(7, 65);
        Operand x = normalWith(0, 2, shape);
        double[] xv = x.values();
        Operand dy = normal(shape);
        double[] backwardScale = activationBackwardScale(xv, dy.values());
        reference.activationBackward(activation, x.host(), dy.host(), dy.host());
        backend.activationBackward(activation, x.device(), dy.device(), dy.device());
        assertMatches(activation + " backward in place (dx == dy)", dy, F32_REL, backwardScale);
        reference.activationForward(activation, x.host(), x.host());
        backend.activationForward(activation, x.device(), x.device());
        assertMatches(activation + " forward in place (y == x)", x, F32_REL, abs(xv));
    }

    /** f'(x) dy, with f' = Phi(x) + x phi(x) and the like: rounding scales with |dy| (1 + |x|). */
    private static double[] activationBackwardScale(double[] x, double[] dy) {
        double[] scale = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            scale[i] = Math.abs(dy[i]) * (1 + Math.abs(x[i]));
        }
        return scale;
    }

    private static double[] abs(double[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.abs(values[i]);
        }
        return out;
    }

    // ---------------------------------------------------------------- element-wise

    static Stream<Arguments> binaryCases() {
        List<long[][]> shapes = List.of(
                new long[][] {dims(7, 65), dims(7, 65)},
                new long[][] {dims(7, 65), dims(1, 65)},
                new long[][] {dims(7, 65), dims(7, 1)},
                new long[][] {dims(197, 3), dims(1, 1)},
                new long[][] {dims(3, 7, 65), dims(3, 1, 65)},
                new long[][] {dims(3, 7, 65), dims(1, 7, 1)},
                new long[][] {dims(1), dims(1)});
        List<Arguments> cases = new ArrayList<>();
        for (BinaryOp op : BinaryOp.values()) {
            for (long[][] s : shapes) {
                cases.add(Arguments.of(op, s[0], s[1]));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {1} with {2}")
    @MethodSource("binaryCases")
    void binary(BinaryOp op, long[] aShape, long[] bShape) {
        Operand a = normal(aShape);
        Operand b = binaryOperand(op, bShape);
        Operand out = output(aShape);
        double[] scale = binaryScale(op, a.values(), b.host(), aShape);
        reference.binary(op, a.host(), b.host(), out.host());
        backend.binary(op, a.device(), b.device(), out.device());
        assertMatches("binary " + op, out, F32_REL, scale);
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryInPlaceOnTransposedOperand(BinaryOp op) {
        // a is a transposed view [65, 7] of [7, 65] and also the output; b broadcasts along rows.
        Operand a = normal(7, 65).transpose(0, 1);
        Operand b = binaryOperand(op, dims(1, 7));
        double[] scale = binaryScale(op, a.values(), b.host(), a.shape());
        reference.binary(op, a.host(), b.host(), a.host());
        backend.binary(op, a.device(), b.device(), a.device());
        assertMatches("binary " + op + " in place", a, F32_REL, scale);
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryIntoStridedSliceOfALargerTensor(BinaryOp op) {
        // As the layers do with the tokens of a [B, 1 + R + P, D] sequence: out is a token slice
        // [B, P, D] of a larger buffer, a is another slice, b a [1, P, D] position table.
        Operand a = normal(3, 9, 65).slice(1, 2, 7);
        Operand b = binaryOperand(op, dims(1, 7, 65));
        Operand whole = output(3, 8, 65);
        Operand out = whole.slice(1, 1, 7);
        double[] scale = binaryScale(op, a.values(), b.host(), a.shape());
        reference.binary(op, a.host(), b.host(), out.host());
        backend.binary(op, a.device(), b.device(), out.device());
        assertMatches("binary " + op + " into a token slice", out, F32_REL, scale);
        // The untouched token keeps its garbage on both sides: a write outside the slice fails.
        assertExact("binary " + op + " leaves the rest of the buffer", whole.slice(1, 0, 1));
    }

    /** Divisors are kept away from zero: 1/b amplifies nothing but its own rounding then. */
    private Operand binaryOperand(BinaryOp op, long[] shape) {
        if (op == BinaryOp.DIV) {
            return upload(random.uniformAwayFromZero(host.allocate(DType.F32, shape), 0.5, 2));
        }
        return normal(shape);
    }

    /** a + b and a - b cancel: scale |a| + |b|. Products, quotients, max and min round once. */
    private static double[] binaryScale(BinaryOp op, double[] a, Tensor b, long[] aShape) {
        double[] scale = new double[a.length];
        if (op != BinaryOp.ADD && op != BinaryOp.SUB) {
            return scale;
        }
        long[] strides = Tensor.contiguousStrides(b.shape());
        double[] bv = b.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            long rest = i;
            long bIndex = 0;
            for (int dim = aShape.length - 1; dim >= 0; dim--) {
                long coordinate = rest % aShape[dim];
                rest /= aShape[dim];
                if (b.size(dim) != 1) {
                    bIndex += coordinate * strides[dim];
                }
            }
            scale[i] = Math.abs(a[i]) + Math.abs(bv[(int) bIndex]);
        }
        return scale;
    }

    @ParameterizedTest(name = "x {0}")
    @MethodSource("normShapes")
    void linear(long[] shape) {
        Operand x = normal(shape);
        Operand out = output(shape);
        float alpha = -1.5f;
        float beta = 0.25f;
        reference.linear(x.host(), alpha, beta, out.host());
        backend.linear(x.device(), alpha, beta, out.device());
        assertMatches("linear", out, F32_REL, linearScale(x.values(), alpha, beta));
    }

    @Test
    void linearInPlaceOnStridedView() {
        Operand x = normal(65, 7).transpose(0, 1);
        double[] scale = linearScale(x.values(), 3f, -1f);
        reference.linear(x.host(), 3f, -1f, x.host());
        backend.linear(x.device(), 3f, -1f, x.device());
        assertMatches("linear in place", x, F32_REL, scale);
    }

    private static double[] linearScale(double[] x, float alpha, float beta) {
        double[] scale = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            scale[i] = Math.abs(alpha * x[i]) + Math.abs(beta);
        }
        return scale;
    }

    // ---------------------------------------------------------------- reductions

    static Stream<Arguments> reductionCases() {
        List<Arguments> cases = new ArrayList<>();
        long[] shape = dims(3, 7, 65);
        for (Reduction op : Reduction.values()) {
            for (int mask = 1; mask < 8; mask++) {
                long[] out = shape.clone();
                for (int d = 0; d < 3; d++) {
                    if ((mask & (1 << d)) != 0) {
                        out[d] = 1;
                    }
                }
                cases.add(Arguments.of(op, shape, out));
            }
            cases.add(Arguments.of(op, dims(197, 1), dims(1, 1)));
            cases.add(Arguments.of(op, dims(2, 3, 7, 5), dims(2, 1, 7, 1)));
            cases.add(Arguments.of(op, dims(1), dims(1)));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @MethodSource("reductionCases")
    void reduce(Reduction op, long[] xShape, long[] outShape) {
        checkReduce(op, normal(xShape), outShape);
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void reduceOverTransposedInput(Reduction op) {
        checkReduce(op, normal(65, 3, 7).permute(2, 0, 1), dims(7, 1, 3));
    }

    private void checkReduce(Reduction op, Operand x, long[] outShape) {
        Operand out = output(outShape);
        // Scale: the sum of the magnitudes that were added (the mean of them for MEAN); SUM_OF_SQUARES
        // adds positive terms and MAX does not round, so |ref| is their scale already.
        Tensor magnitude = host.allocate(DType.F64, outShape);
        Tensor absX = host.allocate(DType.F64, x.shape()).copyFrom(abs(x.values()));
        Reduction magnitudeOp = op == Reduction.MEAN ? Reduction.MEAN : Reduction.SUM;
        reference.reduce(magnitudeOp, absX, magnitude);
        double[] scale = op == Reduction.SUM || op == Reduction.MEAN ? magnitude.toDoubleArray() : null;
        reference.reduce(op, x.host(), out.host());
        backend.reduce(op, x.device(), out.device());
        assertMatches("reduce " + op, out, F32_REL, scale);
    }

    // ---------------------------------------------------------------- copy and fill

    @Test
    void copyStridedToContiguous() {
        Operand src = normal(65, 197).transpose(0, 1);
        Operand dst = output(197, 65);
        reference.copy(src.host(), dst.host());
        backend.copy(src.device(), dst.device());
        assertExact("copy transposed -> contiguous", dst);
        Operand slice = normal(7, 3, 65).slice(1, 1, 1);
        Operand sliceDst = output(7, 1, 65);
        reference.copy(slice.host(), sliceDst.host());
        backend.copy(slice.device(), sliceDst.device());
        assertExact("copy slice -> contiguous", sliceDst);
    }

    @Test
    void copyContiguousToStrided() {
        Operand src = normal(3, 7);
        Operand dst = output(7, 3).transpose(0, 1);
        reference.copy(src.host(), dst.host());
        backend.copy(src.device(), dst.device());
        assertExact("copy contiguous -> transposed", dst);
    }

    @Test
    void copyFromStrideZeroBroadcastView() {
        // The CLS token [1, 1, D] repeated over the batch with stride 0 into a column slice of [B, N, D].
        Operand cls = normal(1, 1, 65);
        Tensor hostRepeated = repeatDim0(cls.host(), 7);
        Tensor deviceRepeated = repeatDim0(cls.device(), 7);
        Operand tokens = output(7, 5, 65);
        Operand first = tokens.slice(1, 0, 1);
        reference.copy(hostRepeated, first.host());
        backend.copy(deviceRepeated, first.device());
        assertExact("copy of a stride-0 broadcast into a token slice", tokens);
    }

    private static Tensor repeatDim0(Tensor t, long n) {
        long[] shape = t.shape();
        long[] strides = t.strides();
        shape[0] = n;
        strides[0] = 0;
        return new Tensor(t.data(), t.dtype(), t.device(), shape, strides);
    }

    @Test
    void copyRank6PermutedPatchUnfold() {
        // Patch embedding's unfold: images [B, C, H/p, p, W/p, p] permuted to [B, H/p, W/p, C, p, p].
        Operand images = normal(2, 3, 3, 7, 2, 7);
        Operand patches = images.permute(0, 2, 4, 1, 3, 5);
        Operand out = output(2, 3, 2, 3, 7, 7);
        reference.copy(patches.host(), out.host());
        backend.copy(patches.device(), out.device());
        assertExact("rank-6 permuted copy", out);
        Operand back = output(2, 3, 3, 7, 2, 7);
        reference.copy(out.host(), back.permute(0, 2, 4, 1, 3, 5).host());
        backend.copy(out.device(), back.permute(0, 2, 4, 1, 3, 5).device());
        assertExact("rank-6 copy into a permuted destination (fold)", back);
    }

    @Test
    void copyConvertsF32ToBf16AndBack() {
        // Exact: both sides round to nearest even (DType.floatToBf16), and bf16 -> f32 is a widening.
        Operand src = normalWith(0, 3, 197, 65);
        Operand half = output(DType.BF16, 197, 65);
        reference.copy(src.host(), half.host());
        backend.copy(src.device(), half.device());
        assertExact("copy f32 -> bf16", half);
        Operand back = output(65, 197).transpose(0, 1);
        reference.copy(half.host(), back.host());
        backend.copy(half.device(), back.device());
        assertExact("copy bf16 -> f32 (strided destination)", back);
    }

    @Test
    void copyConvertsStridedF32ToBf16WithTies() {
        // Halfway cases between two bf16 values must go to the even one.
        Tensor ties = host.allocate(DType.F32, 2, 3).copyFrom(new float[] {
                1f + 0x1p-8f, 1f + 3 * 0x1p-8f, -(1f + 0x1p-8f), 65536f + 128f, 0x1p-100f * (1f + 0x1p-8f), 0f});
        Operand src = upload(ties).transpose(0, 1);
        Operand dst = output(DType.BF16, 3, 2);
        reference.copy(src.host(), dst.host());
        backend.copy(src.device(), dst.device());
        assertExact("copy f32 -> bf16 ties to even", dst);
    }

    @Test
    void copyRowsGathersMaskedTokensFromAStridedPatchView() {
        // Masked patch tokens of [2B, 1 + Np, D] (patches after the CLS token) packed into [U, D] rows.
        Operand tokens = normal(4, 1 + 9, 65);
        Operand patches = tokens.slice(1, 1, 9);
        int[] masked = {0, 4, 8, 10, 17, 26, 35};
        Operand packed = output(8, 65);
        reference.copyRows(patches.host(), masked, packed.host(), null, masked.length, false);
        backend.copyRows(patches.device(), masked, packed.device(), null, masked.length, false);
        assertExact("copyRows gather (the unused last row keeps its garbage)", packed);
    }

    @Test
    void copyRowsScattersAndScatterAddsRows() {
        int[] targets = {5, 0, 3};
        Operand src = normal(3, 14);
        Operand dst = normal(14, 6).transpose(0, 1); // rows with a last-axis stride of 6
        reference.copyRows(src.host(), null, dst.host(), targets, 3, false);
        backend.copyRows(src.device(), null, dst.device(), targets, 3, false);
        assertExact("copyRows scatter", dst);

        Operand base = normal(6, 2, 7);
        Operand rows = normal(5, 2, 7);
        int[] from = {4, 1};
        int[] to = {2, 5};
        double[] scale = abs(base.values());
        double[] rv = rows.values();
        for (int i = 0; i < from.length; i++) {
            for (int j = 0; j < 14; j++) {
                scale[to[i] * 14 + j] += Math.abs(rv[from[i] * 14 + j]);
            }
        }
        reference.copyRows(rows.host().view(5, 14), from, base.host().view(6, 14), to, 2, true);
        backend.copyRows(rows.device().view(5, 14), from, base.device().view(6, 14), to, 2, true);
        // a + b rounds once; its scale is |a| + |b|
        assertMatches("copyRows scatter-add", base, F32_REL, scale);
    }

    @Test
    void fillWritesEveryElementOfAView() {
        Operand x = output(7, 197);
        reference.fill(x.host(), 0.3f);
        backend.fill(x.device(), 0.3f);
        assertExact("fill", x);
        Operand column = output(65, 3).slice(1, 1, 1);
        reference.fill(column.host(), -2.5f);
        backend.fill(column.device(), -2.5f);
        assertExact("fill of a column slice", column);
    }

    // ---------------------------------------------------------------- AdamW

    static Stream<Arguments> adamwCases() {
        return Stream.of(Arguments.of(dims(197, 65), 1L), Arguments.of(dims(7), 10L), Arguments.of(dims(1), 1000L),
                Arguments.of(dims(3, 65), 2L));
    }

    @ParameterizedTest(name = "{0}, step {1}")
    @MethodSource("adamwCases")
    void adamw(long[] shape, long stepCount) {
        Operand param = normal(shape);
        Operand grad = normalWith(0, 0.1, shape);
        Operand m = stepCount == 1 ? upload(host.allocate(DType.F32, shape)) : normalWith(0, 0.01, shape);
        Operand v = stepCount == 1 ? upload(host.allocate(DType.F32, shape)) : uniform(0, 1e-3, shape);
        AdamWStep step = new AdamWStep(1e-3f, 0.9f, 0.999f, 1e-8f, 0.05f, stepCount);
        double[] p0 = param.values();
        double[] g = grad.values();
        double[] m0 = m.values();
        reference.adamw(param.host(), grad.host(), m.host(), v.host(), step);
        backend.adamw(param.device(), grad.device(), m.device(), v.device(), step);
        double[] m1 = m.values();
        double[] v1 = v.values();
        double b1 = step.beta1();
        double correction1 = 1 - Math.pow(b1, stepCount);
        double correction2 = 1 - Math.pow(step.beta2(), stepCount);
        double[] pScale = new double[p0.length];
        double[] mScale = new double[p0.length];
        for (int i = 0; i < p0.length; i++) {
            // p = p0 (1 - lr wd) - lr m^ / (sqrt(v^) + eps): the two terms before they cancel.
            double update = step.lr() * Math.abs(m1[i] / correction1)
                    / (Math.sqrt(v1[i] / correction2) + step.eps());
            pScale[i] = Math.abs(p0[i]) + update;
            mScale[i] = b1 * Math.abs(m0[i]) + (1 - b1) * Math.abs(g[i]);
        }
        assertMatches("adamw param", param, F32_REL, pScale);
        assertMatches("adamw m", m, F32_REL, mScale);
        assertMatches("adamw v", v, F32_REL, null);
        assertThat(toHost(grad.device()).toDoubleArray()).as("adamw leaves grad unchanged").containsExactly(g);
    }
}
