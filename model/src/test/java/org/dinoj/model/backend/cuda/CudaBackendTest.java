package org.dinoj.model.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.dinoj.model.backend.Activation;
import org.dinoj.model.backend.AdamWStep;
import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.Reduction;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every CUDA backend operation against plain double-precision loops written here (the shared
 * BackendConformanceTest against the reference backend replaces these oracles once it exists).
 * Skips, saying why, where no CUDA device can be used.
 *
 * <p>Tolerances: f32 kernels differ from double loops by rounding in f32 sums (relative ~1e-6 per
 * term, so 1e-4 absolute on values of order 1 covers sums of a few hundred terms); cuBLASLt f32
 * matmuls use CUBLAS_COMPUTE_32F (no TF32), same bound; bf16 matmuls are compared with a loop over
 * bf16-rounded inputs, so only the f32 accumulation order differs.
 */
@Tag("gpu")
class CudaBackendTest {
    private static CudaBackend f32;
    private static CudaBackend bf16;
    private final Random random = new Random(42);
    private HostArena host;
    private CudaArena device;

    @BeforeAll
    static void openBackends() {
        String reason = CudaDevice.unavailableReason();
        if (reason != null) {
            System.out.println("skipping CUDA backend tests: " + reason);
            Assumptions.abort("no usable CUDA device: " + reason);
        }
        f32 = new CudaBackend(Precision.F32);
        bf16 = new CudaBackend(Precision.BF16);
    }

    @AfterAll
    static void closeBackends() {
        if (f32 != null) {
            f32.close();
            bf16.close();
        }
    }

    @BeforeEach
    void arenas() {
        host = new HostArena();
        device = f32.newArena();
    }

    @AfterEach
    void closeArenas() {
        f32.synchronize();
        device.close();
        host.close();
    }

    private Tensor randomHost(long... shape) {
        Tensor t = host.f32(shape);
        for (long i = 0; i < t.numel(); i++) {
            t.setFlat(i, random.nextGaussian());
        }
        return t;
    }

    private Tensor toDevice(Tensor h) {
        return toDevice(f32, device, h);
    }

    private double[] toHost(Tensor d) {
        return toHost(f32, d);
    }

    /** Each backend has its own stream: a tensor is used with the backend whose arena made it. */
    private Tensor toDevice(CudaBackend backend, CudaArena arena, Tensor h) {
        Tensor d = arena.allocate(h.dtype(), h.shape());
        backend.copy(h, d);
        return d;
    }

    private double[] toHost(CudaBackend backend, Tensor d) {
        Tensor h = host.allocate(DType.F32, d.shape());
        backend.copy(d, h);
        return h.toDoubleArray();
    }

    private static void assertClose(double[] actual, double[] expected, double tolerance) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            double scale = Math.max(1, Math.abs(expected[i]));
            assertThat(Math.abs(actual[i] - expected[i]))
                    .as("element %d: %s vs expected %s", i, actual[i], expected[i])
                    .isLessThanOrEqualTo(tolerance * scale);
        }
    }

    @Test
    void copiesRoundTripWithStridesAndBf16() {
        Tensor h = randomHost(3, 5);
        Tensor d = toDevice(h);
        assertThat(toHost(d)).containsExactly(h.toDoubleArray());
        // strided device -> host: a transposed view
        assertThat(toHost(d.transpose(0, 1))).containsExactly(h.transpose(0, 1).toDoubleArray());
        // f32 -> bf16 on the device rounds to nearest even, as DType does on the host
        Tensor b = device.allocate(DType.BF16, 3, 5);
        f32.copy(d, b);
        double[] rounded = new double[15];
        for (int i = 0; i < 15; i++) {
            rounded[i] = DType.roundToBf16((float) h.getFlat(i));
        }
        assertThat(toHost(b)).containsExactly(rounded);
        // host strided -> device contiguous
        Tensor d2 = device.f32(5, 3);
        f32.copy(h.transpose(0, 1), d2);
        assertThat(toHost(d2)).containsExactly(h.transpose(0, 1).toDoubleArray());
    }

    @Test
    void fillLinearAndBroadcastBinary() {
        Tensor x = toDevice(randomHost(4, 6));
        double[] xs = toHost(x);
        Tensor out = device.f32(4, 6);
        f32.linear(x, 2f, -1f, out);
        double[] expected = new double[24];
        for (int i = 0; i < 24; i++) {
            expected[i] = (float) (2 * (float) xs[i] - 1);
        }
        assertClose(toHost(out), expected, 1e-6);

        Tensor row = toDevice(randomHost(1, 6));
        double[] rs = toHost(row);
        for (BinaryOp op : BinaryOp.values()) {
            f32.binary(op, x, row, out);
            for (int i = 0; i < 24; i++) {
                double a = xs[i];
                double b = rs[i % 6];
                expected[i] = switch (op) {
                    case ADD -> a + b;
                    case SUB -> a - b;
                    case MUL -> a * b;
                    case DIV -> a / b;
                    case MAX -> Math.max(a, b);
                    case MIN -> Math.min(a, b);
                };
            }
            assertClose(toHost(out), expected, 1e-6);
        }
        f32.fill(out.slice(1, 2, 3), 7f); // columns 2..4 of every row
        double[] filled = toHost(out);
        for (int i = 0; i < 24; i++) {
            int col = i % 6;
            if (col >= 2 && col <= 4) {
                assertThat(filled[i]).as("element %d", i).isEqualTo(7);
            } else {
                assertThat(filled[i]).as("element %d", i).isNotEqualTo(7);
            }
        }
    }

    /** erf by Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7, below f32 tolerance here). */
    private static double erf(double x) {
        double t = 1 / (1 + 0.3275911 * Math.abs(x));
        double y = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
                * Math.exp(-x * x);
        return x >= 0 ? y : -y;
    }

    @Test
    void activationsForwardAndBackward() {
        Tensor hx = randomHost(3, 7);
        Tensor x = toDevice(hx);
        Tensor dy = toDevice(randomHost(3, 7));
        double[] xs = hx.toDoubleArray();
        double[] dys = toHost(dy);
        Tensor y = device.f32(3, 7);
        for (Activation act : Activation.values()) {
            f32.activationForward(act, x, y);
            f32.activationBackward(act, x, dy, y.view(3, 7));
            double[] expectedDx = new double[21];
            for (int i = 0; i < 21; i++) {
                double v = xs[i];
                double slope = switch (act) {
                    case GELU_ERF -> 0.5 * (1 + erf(v / Math.sqrt(2))) + v * Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI);
                    case SILU -> {
                        double s = 1 / (1 + Math.exp(-v));
                        yield s * (1 + v * (1 - s));
                    }
                    case RELU -> v > 0 ? 1 : 0;
                };
                expectedDx[i] = slope * dys[i];
            }
            assertClose(toHost(y), expectedDx, 1e-5);
            f32.activationForward(act, x, y);
            double[] expectedY = new double[21];
            for (int i = 0; i < 21; i++) {
                double v = xs[i];
                expectedY[i] = switch (act) {
                    case GELU_ERF -> 0.5 * v * (1 + erf(v / Math.sqrt(2)));
                    case SILU -> v / (1 + Math.exp(-v));
                    case RELU -> Math.max(v, 0);
                };
            }
            assertClose(toHost(y), expectedY, 1e-5);
        }
    }

    @Test
    void softmaxAndLogSoftmaxForwardAndBackward() {
        int rows = 5;
        int d = 300;
        Tensor hx = randomHost(rows, d);
        Tensor hdy = randomHost(rows, d);
        Tensor x = toDevice(hx);
        Tensor dy = toDevice(hdy);
        Tensor y = device.f32(rows, d);
        Tensor dx = device.f32(rows, d);
        for (boolean log : new boolean[] {false, true}) {
            f32.softmaxForward(x, y, log);
            f32.softmaxBackward(y, dy, dx, log);
            double[] ey = new double[rows * d];
            double[] edx = new double[rows * d];
            for (int r = 0; r < rows; r++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < d; j++) {
                    max = Math.max(max, hx.get(r, j));
                }
                double sum = 0;
                for (int j = 0; j < d; j++) {
                    sum += Math.exp(hx.get(r, j) - max);
                }
                double dot = 0;
                double dySum = 0;
                for (int j = 0; j < d; j++) {
                    double p = Math.exp(hx.get(r, j) - max) / sum;
                    dot += hdy.get(r, j) * p;
                    dySum += hdy.get(r, j);
                }
                for (int j = 0; j < d; j++) {
                    double p = Math.exp(hx.get(r, j) - max) / sum;
                    ey[r * d + j] = log ? Math.log(p) : p;
                    edx[r * d + j] = log ? hdy.get(r, j) - p * dySum : p * (hdy.get(r, j) - dot);
                }
            }
            assertClose(toHost(y), ey, 1e-5);
            assertClose(toHost(dx), edx, 1e-4);
        }
    }

    @Test
    void layerNormForwardAndBackward() {
        int rows = 6;
        int d = 384;
        float eps = 1e-6f;
        Tensor hx = randomHost(2, 3, d);
        Tensor hg = randomHost(d);
        Tensor hb = randomHost(d);
        Tensor hdy = randomHost(2, 3, d);
        Tensor x = toDevice(hx);
        Tensor y = device.f32(2, 3, d);
        Tensor mean = device.f32(2, 3);
        Tensor var = device.f32(2, 3);
        f32.layerNormForward(x, toDevice(hg), toDevice(hb), eps, y, mean, var);
        Tensor dx = device.f32(2, 3, d);
        Tensor dgamma = device.f32(d);
        Tensor dbeta = device.f32(d);
        f32.layerNormBackward(x, toDevice(hg), mean, var, eps, toDevice(hdy), dx, dgamma, dbeta);

        double[] xs = hx.toDoubleArray();
        double[] dys = hdy.toDoubleArray();
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
            double sg = 0;
            double sgx = 0;
            for (int j = 0; j < d; j++) {
                double xhat = (xs[r * d + j] - mu) * rstd;
                ey[r * d + j] = xhat * hg.get(j) + hb.get(j);
                double g = dys[r * d + j] * hg.get(j);
                sg += g;
                sgx += g * xhat;
                edg[j] += dys[r * d + j] * xhat;
                edb[j] += dys[r * d + j];
            }
            for (int j = 0; j < d; j++) {
                double xhat = (xs[r * d + j] - mu) * rstd;
                double g = dys[r * d + j] * hg.get(j);
                edx[r * d + j] = rstd * (g - sg / d - xhat * sgx / d);
            }
        }
        assertClose(toHost(y), ey, 1e-4);
        assertClose(toHost(mean), emean, 1e-5);
        assertClose(toHost(var), evar, 1e-4);
        assertClose(toHost(dx), edx, 1e-4);
        assertClose(toHost(dgamma), edg, 1e-4);
        assertClose(toHost(dbeta), edb, 1e-4);
    }

    @Test
    void reductionsOverLeadingAndTrailingAxes() {
        Tensor hx = randomHost(4, 5, 300);
        Tensor x = toDevice(hx);
        double[] xs = hx.toDoubleArray();
        for (Reduction op : Reduction.values()) {
            Tensor rows = device.f32(4, 5, 1);
            f32.reduce(op, x, rows);
            double[] er = new double[20];
            for (int r = 0; r < 20; r++) {
                double acc = op == Reduction.MAX ? Double.NEGATIVE_INFINITY : 0;
                for (int j = 0; j < 300; j++) {
                    double v = xs[r * 300 + j];
                    acc = switch (op) {
                        case SUM, MEAN -> acc + v;
                        case SUM_OF_SQUARES -> acc + v * v;
                        case MAX -> Math.max(acc, v);
                    };
                }
                er[r] = op == Reduction.MEAN ? acc / 300 : acc;
            }
            assertClose(toHost(rows), er, 1e-4);

            Tensor cols = device.f32(1, 1, 300);
            f32.reduce(op, x, cols);
            double[] ec = new double[300];
            for (int j = 0; j < 300; j++) {
                double acc = op == Reduction.MAX ? Double.NEGATIVE_INFINITY : 0;
                for (int r = 0; r < 20; r++) {
                    double v = xs[r * 300 + j];
                    acc = switch (op) {
                        case SUM, MEAN -> acc + v;
                        case SUM_OF_SQUARES -> acc + v * v;
                        case MAX -> Math.max(acc, v);
                    };
                }
                ec[j] = op == Reduction.MEAN ? acc / 20 : acc;
            }
            assertClose(toHost(cols), ec, 1e-4);
        }
    }

    /** c = alpha * a @ b + bias + beta * c0 on the host, from (optionally bf16-rounded) inputs. */
    private static double[] matmulOracle(Tensor a, Tensor b, Tensor bias, double[] c0, float alpha, float beta,
                                         boolean roundBf16) {
        int rank = a.rank();
        long batch = rank == 3 ? a.size(0) : 1;
        long m = a.size(-2);
        long k = a.size(-1);
        long n = b.size(-1);
        double[] out = new double[(int) (batch * m * n)];
        for (long bi = 0; bi < batch; bi++) {
            for (long i = 0; i < m; i++) {
                for (long j = 0; j < n; j++) {
                    double s = 0;
                    for (long l = 0; l < k; l++) {
                        double x = rank == 3 ? a.get(bi, i, l) : a.get(i, l);
                        double y = b.rank() == 3 ? b.get(bi, l, j) : b.get(l, j);
                        if (roundBf16) {
                            x = DType.roundToBf16((float) x);
                            y = DType.roundToBf16((float) y);
                        }
                        s += x * y;
                    }
                    int idx = (int) ((bi * m + i) * n + j);
                    out[idx] = alpha * s + (bias == null ? 0 : bias.get(j)) + beta * c0[idx];
                }
            }
        }
        return out;
    }

    @Test
    void matmulsInF32AndBf16() {
        for (CudaBackend backend : new CudaBackend[] {f32, bf16}) {
            try (CudaArena arena = backend.newArena()) {
                matmulCases(backend, arena);
            }
        }
    }

    private void matmulCases(CudaBackend backend, CudaArena arena) {
        {
            boolean round = backend.precision() == Precision.BF16;
            // Linear layer: x [B, N, D] @ W [D, E] + bias, then alpha/beta accumulation.
            Tensor hx = randomHost(2, 33, 64);
            Tensor hw = randomHost(64, 48);
            Tensor hbias = randomHost(48);
            Tensor c = arena.f32(2, 33, 48);
            backend.matmul(toDevice(backend, arena, hx), toDevice(backend, arena, hw), toDevice(backend, arena, hbias), c, 1f, 0f);
            double[] first = toHost(backend, c);
            assertClose(first, matmulOracle(hx, hw, hbias, new double[first.length], 1f, 0f, round), 1e-4);
            backend.matmul(toDevice(backend, arena, hx), toDevice(backend, arena, hw), null, c, 0.5f, 2f);
            assertClose(toHost(backend, c), matmulOracle(hx, hw, null, first, 0.5f, 2f, round), 1e-4);

            // Transposed operands as views: dW = x^T @ dy; and q @ k^T batched.
            Tensor hdy = randomHost(66, 48);
            Tensor hx2 = hx.view(66, 64);
            Tensor dw = arena.f32(64, 48);
            backend.matmul(toDevice(backend, arena, hx2).transpose(0, 1), toDevice(backend, arena, hdy), dw);
            assertClose(toHost(backend, dw), matmulOracle(hx2.transpose(0, 1), hdy, null, new double[64 * 48], 1f, 0f, round), 1e-4);

            Tensor hq = randomHost(3, 17, 32);
            Tensor hk = randomHost(3, 17, 32);
            Tensor scores = arena.f32(3, 17, 17);
            backend.matmul(toDevice(backend, arena, hq), toDevice(backend, arena, hk).transpose(1, 2), scores);
            assertClose(toHost(backend, scores), matmulOracle(hq, hk.transpose(1, 2), null, new double[3 * 17 * 17], 1f, 0f, round),
                    1e-4);

            // Transposed output view (column-major c) with a bias: added after the product.
            Tensor cT = arena.f32(48, 33);
            Tensor hx3 = randomHost(33, 64);
            backend.matmul(toDevice(backend, arena, hx3), toDevice(backend, arena, hw), toDevice(backend, arena, hbias), cT.transpose(0, 1), 1f, 0f);
            assertClose(toHost(backend, cT.transpose(0, 1)), matmulOracle(hx3, hw, hbias, new double[33 * 48], 1f, 0f, round), 1e-4);
        }
    }

    @Test
    void adamwMatchesTorchFormula() {
        Tensor hp = randomHost(1000);
        Tensor hg = randomHost(1000);
        Tensor hm = randomHost(1000);
        Tensor hv = host.f32(1000);
        for (int i = 0; i < 1000; i++) {
            hv.setFlat(i, Math.abs(random.nextGaussian()));
        }
        Tensor p = toDevice(hp);
        Tensor m = toDevice(hm);
        Tensor v = toDevice(hv);
        AdamWStep step = new AdamWStep(1e-3f, 0.9f, 0.999f, 1e-8f, 0.04f, 3);
        f32.adamw(p, toDevice(hg), m, v, step);
        double[] ep = new double[1000];
        double[] em = new double[1000];
        double[] ev = new double[1000];
        for (int i = 0; i < 1000; i++) {
            double g = hg.getFlat(i);
            double param = hp.getFlat(i) * (1 - 1e-3 * 0.04);
            em[i] = 0.9 * hm.getFlat(i) + 0.1 * g;
            ev[i] = 0.999 * hv.getFlat(i) + 0.001 * g * g;
            double mHat = em[i] / (1 - Math.pow(0.9, 3));
            double vHat = ev[i] / (1 - Math.pow(0.999, 3));
            ep[i] = param - 1e-3 * mHat / (Math.sqrt(vHat) + 1e-8);
        }
        assertClose(toHost(m), em, 1e-6);
        assertClose(toHost(v), ev, 1e-6);
        assertClose(toHost(p), ep, 1e-6);
    }

    @Test
    void steadyStateLoopTakesNoNewDeviceMemory() {
        Tensor hx = randomHost(8, 64, 96);
        Tensor hw = randomHost(96, 96);
        long before = 0;
        for (int step = 0; step < 3; step++) {
            try (CudaArena stepArena = f32.newArena()) {
                Tensor x = stepArena.f32(8, 64, 96);
                f32.copy(hx, x);
                Tensor w = stepArena.f32(96, 96);
                f32.copy(hw, w);
                Tensor y = stepArena.f32(8, 64, 96);
                f32.matmul(x, w, y);
                f32.softmaxForward(y, y, false);
                f32.synchronize();
            }
            if (step == 0) {
                before = f32.allocator().rawAllocations();
            }
        }
        assertThat(f32.allocator().rawAllocations()).isEqualTo(before);
    }
}
