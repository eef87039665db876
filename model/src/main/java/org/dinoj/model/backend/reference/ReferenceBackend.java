package org.dinoj.model.backend.reference;

import static org.dinoj.model.backend.reference.HostTensors.broadcastIndex;
import static org.dinoj.model.backend.reference.HostTensors.read;
import static org.dinoj.model.backend.reference.HostTensors.requireHost;
import static org.dinoj.model.backend.reference.HostTensors.requireSameShape;
import static org.dinoj.model.backend.reference.HostTensors.write;

import java.util.Arrays;
import java.util.Objects;
import org.dinoj.model.backend.Activation;
import org.dinoj.model.backend.AdamWStep;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.Reduction;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;

/**
 * The test oracle: plain Java loops over host tensors of any strides and of dtype F32, BF16 or F64,
 * every intermediate in double. Each operation reads its inputs into double arrays (row-major
 * logical order), computes, and only then writes its outputs, so in-place calls are always safe.
 * Outputs are rounded once, to their own dtype, when written.
 *
 * <p>The reference is deliberately lenient about dtypes (any of the three for any operand, mixed
 * freely; F64 end to end is what finite-difference checks need) and strict about shapes. With
 * {@link Precision#BF16}, matmul rounds every element of a and b to bf16 before multiplying (the
 * products and their sum stay in double), which is what a bf16 backend computes up to its f32
 * accumulation; every other operation is unaffected by the precision.
 */
public final class ReferenceBackend implements Backend {
    private final Precision precision;
    private final boolean fusesAttention;

    public ReferenceBackend(Precision precision) {
        this(precision, false);
    }

    /**
     * @param fusesAttention whether layers should call the fused attention (the plain-Java
     *                       specification, {@link Backend#attentionForward}) instead of composing
     *                       matmul and softmax: tests of the layers' fused path set it
     */
    public ReferenceBackend(Precision precision, boolean fusesAttention) {
        this.precision = Objects.requireNonNull(precision, "precision");
        this.fusesAttention = fusesAttention;
    }

    @Override
    public boolean fusesAttention(int headDim) {
        return fusesAttention;
    }

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public Precision precision() {
        return precision;
    }

    @Override
    public TensorAllocator newArena() {
        return new HostArena();
    }

    /**
     * {@code c = alpha * (a @ b) + bias + beta * c}; a {@code [..., M, K]}, b {@code [..., K, N]},
     * c {@code [..., M, N]}, all of the same rank, batch dimensions of a and b equal to c's or 1;
     * bias {@code [N]} or null. c is not read when beta is 0.
     */
    @Override
    public void matmul(Tensor a, Tensor b, Tensor bias, Tensor c, float alpha, float beta) {
        String op = "matmul";
        requireHost(op, "a", a);
        requireHost(op, "b", b);
        requireHost(op, "c", c);
        int rank = c.rank();
        if (rank < 2 || a.rank() != rank || b.rank() != rank) {
            throw new IllegalArgumentException("matmul: a " + a + ", b " + b + " and c " + c
                    + " must have the same rank, at least 2");
        }
        long m = c.size(-2);
        long n = c.size(-1);
        long k = a.size(-1);
        if (a.size(-2) != m || b.size(-2) != k || b.size(-1) != n) {
            throw new IllegalArgumentException("matmul: shapes a " + a + " [..., M, K], b " + b
                    + " [..., K, N] and c " + c + " [..., M, N] do not agree");
        }
        long[] cBatch = Arrays.copyOf(c.shape(), rank - 2);
        long[] aBatch = Arrays.copyOf(a.shape(), rank - 2);
        long[] bBatch = Arrays.copyOf(b.shape(), rank - 2);
        for (int d = 0; d < rank - 2; d++) {
            if ((aBatch[d] != cBatch[d] && aBatch[d] != 1) || (bBatch[d] != cBatch[d] && bBatch[d] != 1)) {
                throw new IllegalArgumentException("matmul: batch dimension " + d + " of a " + a + " and b " + b
                        + " must equal c's " + c + " or be 1");
            }
        }
        if (bias != null) {
            requireHost(op, "bias", bias);
            if (bias.rank() != 1 || bias.size(0) != n) {
                throw new IllegalArgumentException("matmul: bias " + bias + " must be [" + n + "] to match c " + c);
            }
        }
        double[] av = read(a);
        double[] bv = read(b);
        if (precision == Precision.BF16) {
            roundToBf16(av);
            roundToBf16(bv);
        }
        double[] biasv = bias == null ? new double[(int) n] : read(bias);
        double[] cv = beta == 0f ? new double[(int) c.numel()] : read(c);
        int[] aOfBatch = broadcastIndex(cBatch, aBatch);
        int[] bOfBatch = broadcastIndex(cBatch, bBatch);
        int mi = (int) m;
        int ni = (int) n;
        int ki = (int) k;
        double[] row = new double[ni];
        for (int batch = 0; batch < aOfBatch.length; batch++) {
            int aBase = aOfBatch[batch] * mi * ki;
            int bBase = bOfBatch[batch] * ki * ni;
            int cBase = batch * mi * ni;
            for (int i = 0; i < mi; i++) {
                Arrays.fill(row, 0);
                for (int p = 0; p < ki; p++) {
                    double aip = av[aBase + i * ki + p];
                    int bRow = bBase + p * ni;
                    for (int j = 0; j < ni; j++) {
                        row[j] += aip * bv[bRow + j];
                    }
                }
                int cRow = cBase + i * ni;
                for (int j = 0; j < ni; j++) {
                    double previous = beta == 0f ? 0 : beta * cv[cRow + j];
                    cv[cRow + j] = alpha * row[j] + biasv[j] + previous;
                }
            }
        }
        write(c, cv);
    }

    /**
     * Layer norm over the last axis of x {@code [..., D]} with biased variance; gamma, beta
     * {@code [D]}; mean and variance hold {@code rows = numel / D} elements (any shape, row-major).
     */
    @Override
    public void layerNormForward(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean,
                                 Tensor variance) {
        String op = "layerNormForward";
        int d = lastDim(op, x);
        int rows = rows(x, d);
        requireVector(op, "gamma", gamma, d, x);
        requireVector(op, "beta", beta, d, x);
        requireHost(op, "y", y);
        requireSameShape(op, "x", x, "y", y);
        requireRowStats(op, "mean", mean, rows, x);
        requireRowStats(op, "variance", variance, rows, x);
        double[] xv = read(x);
        double[] g = read(gamma);
        double[] bt = read(beta);
        double[] yv = new double[xv.length];
        double[] mv = new double[rows];
        double[] vv = new double[rows];
        for (int r = 0; r < rows; r++) {
            int base = r * d;
            double sum = 0;
            for (int j = 0; j < d; j++) {
                sum += xv[base + j];
            }
            double mu = sum / d;
            double squares = 0;
            for (int j = 0; j < d; j++) {
                double centered = xv[base + j] - mu;
                squares += centered * centered;
            }
            double var = squares / d;
            double rstd = 1.0 / Math.sqrt(var + eps);
            for (int j = 0; j < d; j++) {
                yv[base + j] = (xv[base + j] - mu) * rstd * g[j] + bt[j];
            }
            mv[r] = mu;
            vv[r] = var;
        }
        write(y, yv);
        write(mean, mv);
        write(variance, vv);
    }

    /**
     * With xhat = (x - mean) * rstd and g = dy * gamma: dbeta = sum_rows dy, dgamma = sum_rows
     * dy * xhat, dx = rstd * (g - mean_D(g) - xhat * mean_D(g * xhat)).
     */
    @Override
    public void layerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor variance, float eps, Tensor dy,
                                  Tensor dx, Tensor dgamma, Tensor dbeta) {
        String op = "layerNormBackward";
        int d = lastDim(op, x);
        int rows = rows(x, d);
        requireVector(op, "gamma", gamma, d, x);
        requireRowStats(op, "mean", mean, rows, x);
        requireRowStats(op, "variance", variance, rows, x);
        requireHost(op, "dy", dy);
        requireHost(op, "dx", dx);
        requireSameShape(op, "x", x, "dy", dy);
        requireSameShape(op, "x", x, "dx", dx);
        requireVector(op, "dgamma", dgamma, d, x);
        requireVector(op, "dbeta", dbeta, d, x);
        double[] xv = read(x);
        double[] g = read(gamma);
        double[] mv = read(mean);
        double[] vv = read(variance);
        double[] dyv = read(dy);
        double[] dxv = new double[xv.length];
        double[] dg = new double[d];
        double[] db = new double[d];
        double[] xhat = new double[d];
        double[] scaled = new double[d];
        for (int r = 0; r < rows; r++) {
            int base = r * d;
            double rstd = 1.0 / Math.sqrt(vv[r] + eps);
            double sumScaled = 0;
            double sumScaledXhat = 0;
            for (int j = 0; j < d; j++) {
                xhat[j] = (xv[base + j] - mv[r]) * rstd;
                scaled[j] = dyv[base + j] * g[j];
                sumScaled += scaled[j];
                sumScaledXhat += scaled[j] * xhat[j];
                db[j] += dyv[base + j];
                dg[j] += dyv[base + j] * xhat[j];
            }
            double meanScaled = sumScaled / d;
            double meanScaledXhat = sumScaledXhat / d;
            for (int j = 0; j < d; j++) {
                dxv[base + j] = rstd * (scaled[j] - meanScaled - xhat[j] * meanScaledXhat);
            }
        }
        write(dx, dxv);
        write(dgamma, dg);
        write(dbeta, db);
    }

    /** Row-wise over the last axis: y = exp(x - max) / sum, or x - max - log(sum) when {@code log}. */
    @Override
    public void softmaxForward(Tensor x, Tensor y, boolean log) {
        String op = log ? "logSoftmaxForward" : "softmaxForward";
        int d = lastDim(op, x);
        requireHost(op, "y", y);
        requireSameShape(op, "x", x, "y", y);
        double[] v = read(x);
        int rows = rows(x, d);
        for (int r = 0; r < rows; r++) {
            int base = r * d;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < d; j++) {
                max = Math.max(max, v[base + j]);
            }
            double sum = 0;
            for (int j = 0; j < d; j++) {
                sum += Math.exp(v[base + j] - max);
            }
            double logSum = Math.log(sum);
            for (int j = 0; j < d; j++) {
                double shifted = v[base + j] - max;
                v[base + j] = log ? shifted - logSum : Math.exp(shifted) / sum;
            }
        }
        write(y, v);
    }

    /**
     * From the forward output y: softmax dx = y * (dy - sum(dy * y)); log-softmax
     * dx = dy - exp(y) * sum(dy), sums over the row.
     */
    @Override
    public void softmaxBackward(Tensor y, Tensor dy, Tensor dx, boolean log) {
        String op = log ? "logSoftmaxBackward" : "softmaxBackward";
        int d = lastDim(op, y);
        requireHost(op, "dy", dy);
        requireHost(op, "dx", dx);
        requireSameShape(op, "y", y, "dy", dy);
        requireSameShape(op, "y", y, "dx", dx);
        double[] yv = read(y);
        double[] dyv = read(dy);
        double[] dxv = new double[yv.length];
        int rows = rows(y, d);
        for (int r = 0; r < rows; r++) {
            int base = r * d;
            double sum = 0;
            for (int j = 0; j < d; j++) {
                sum += log ? dyv[base + j] : dyv[base + j] * yv[base + j];
            }
            for (int j = 0; j < d; j++) {
                int i = base + j;
                dxv[i] = log ? dyv[i] - Math.exp(yv[i]) * sum : yv[i] * (dyv[i] - sum);
            }
        }
        write(dx, dxv);
    }

    @Override
    public void activationForward(Activation activation, Tensor x, Tensor y) {
        String op = "activationForward(" + activation + ")";
        requireHost(op, "x", x);
        requireHost(op, "y", y);
        requireSameShape(op, "x", x, "y", y);
        double[] v = read(x);
        for (int i = 0; i < v.length; i++) {
            v[i] = activate(activation, v[i]);
        }
        write(y, v);
    }

    /** dx = f'(x) * dy; RELU's derivative at 0 is 0, as in PyTorch. */
    @Override
    public void activationBackward(Activation activation, Tensor x, Tensor dy, Tensor dx) {
        String op = "activationBackward(" + activation + ")";
        requireHost(op, "x", x);
        requireHost(op, "dy", dy);
        requireHost(op, "dx", dx);
        requireSameShape(op, "x", x, "dy", dy);
        requireSameShape(op, "x", x, "dx", dx);
        double[] xv = read(x);
        double[] g = read(dy);
        for (int i = 0; i < g.length; i++) {
            g[i] *= derivative(activation, xv[i]);
        }
        write(dx, g);
    }

    static double activate(Activation activation, double x) {
        return switch (activation) {
            // 1 + erf(x / sqrt 2) = erfc(-x / sqrt 2) keeps relative accuracy for large negative x.
            case GELU_ERF -> 0.5 * x * Erf.erfc(-x * INV_SQRT2);
            case SILU -> x * sigmoid(x);
            case RELU -> x > 0 ? x : 0;
        };
    }

    static double derivative(Activation activation, double x) {
        return switch (activation) {
            case GELU_ERF -> 0.5 * Erf.erfc(-x * INV_SQRT2) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
            case SILU -> {
                double s = sigmoid(x);
                yield s * (1 + x * (1 - s));
            }
            case RELU -> x > 0 ? 1 : 0;
        };
    }

    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

    private static double sigmoid(double x) {
        // Both branches avoid exp overflow.
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    /** out = a op b with b broadcast to a's shape (same rank, each dim equal or 1); in place allowed. */
    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        String name = "binary(" + op + ")";
        requireHost(name, "a", a);
        requireHost(name, "b", b);
        requireHost(name, "out", out);
        requireSameShape(name, "a", a, "out", out);
        if (b.rank() != a.rank()) {
            throw new IllegalArgumentException(name + ": b " + b + " must have the rank of a " + a
                    + " (insert size-1 dimensions to broadcast)");
        }
        for (int d = 0; d < a.rank(); d++) {
            if (b.size(d) != a.size(d) && b.size(d) != 1) {
                throw new IllegalArgumentException(name + ": dimension " + d + " of b " + b
                        + " must equal a's " + a + " or be 1");
            }
        }
        double[] av = read(a);
        double[] bv = read(b);
        int[] bIndex = broadcastIndex(a.shape(), b.shape());
        for (int i = 0; i < av.length; i++) {
            double x = av[i];
            double y = bv[bIndex[i]];
            av[i] = switch (op) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV -> x / y;
                case MAX -> Math.max(x, y);
                case MIN -> Math.min(x, y);
            };
        }
        write(out, av);
    }

    @Override
    public void linear(Tensor x, float alpha, float beta, Tensor out) {
        String op = "linear";
        requireHost(op, "x", x);
        requireHost(op, "out", out);
        requireSameShape(op, "x", x, "out", out);
        double[] v = read(x);
        for (int i = 0; i < v.length; i++) {
            v[i] = (double) alpha * v[i] + beta;
        }
        write(out, v);
    }

    /**
     * Reduces x into out of x's rank, whose dimensions are x's or 1 (reduced). MAX of an empty set
     * is -infinity, MEAN of it NaN.
     */
    @Override
    public void reduce(Reduction op, Tensor x, Tensor out) {
        String name = "reduce(" + op + ")";
        requireHost(name, "x", x);
        requireHost(name, "out", out);
        if (out.rank() != x.rank()) {
            throw new IllegalArgumentException(name + ": out " + out + " must have the rank of x " + x
                    + ", with reduced dimensions of size 1");
        }
        for (int d = 0; d < x.rank(); d++) {
            if (out.size(d) != x.size(d) && out.size(d) != 1) {
                throw new IllegalArgumentException(name + ": dimension " + d + " of out " + out
                        + " must equal x's " + x + " or be 1 (reduced)");
            }
        }
        double[] xv = read(x);
        int[] target = broadcastIndex(x.shape(), out.shape());
        double[] acc = new double[(int) out.numel()];
        if (op == Reduction.MAX) {
            Arrays.fill(acc, Double.NEGATIVE_INFINITY);
        }
        for (int i = 0; i < xv.length; i++) {
            double v = xv[i];
            int t = target[i];
            acc[t] = switch (op) {
                case SUM, MEAN -> acc[t] + v;
                case SUM_OF_SQUARES -> acc[t] + v * v;
                case MAX -> Math.max(acc[t], v);
            };
        }
        if (op == Reduction.MEAN) {
            double count = out.numel() == 0 ? 0 : (double) x.numel() / out.numel();
            for (int i = 0; i < acc.length; i++) {
                acc[i] /= count;
            }
        }
        write(out, acc);
    }

    /** Same shapes, any strides and dtypes; rounding to dst's dtype is to nearest even. */
    @Override
    public void copy(Tensor src, Tensor dst) {
        requireHost("copy", "src", src);
        requireHost("copy", "dst", dst);
        requireSameShape("copy", "src", src, "dst", dst);
        write(dst, read(src));
    }

    @Override
    public void fill(Tensor x, float value) {
        requireHost("fill", "x", x);
        double[] v = new double[(int) x.numel()];
        Arrays.fill(v, value);
        write(x, v);
    }

    /**
     * torch.optim.AdamW, in double: p *= 1 - lr * wd; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
     * p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
     */
    @Override
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWStep step) {
        String op = "adamw";
        requireHost(op, "param", param);
        requireHost(op, "grad", grad);
        requireHost(op, "m", m);
        requireHost(op, "v", v);
        requireSameShape(op, "param", param, "grad", grad);
        requireSameShape(op, "param", param, "m", m);
        requireSameShape(op, "param", param, "v", v);
        double lr = step.lr();
        double b1 = step.beta1();
        double b2 = step.beta2();
        double eps = step.eps();
        double decay = 1.0 - lr * step.weightDecay();
        double stepSize = lr / (1.0 - Math.pow(b1, step.step()));
        double sqrtCorrection2 = Math.sqrt(1.0 - Math.pow(b2, step.step()));
        double[] p = read(param);
        double[] g = read(grad);
        double[] mv = read(m);
        double[] vv = read(v);
        for (int i = 0; i < p.length; i++) {
            mv[i] = b1 * mv[i] + (1.0 - b1) * g[i];
            vv[i] = b2 * vv[i] + (1.0 - b2) * g[i] * g[i];
            p[i] = p[i] * decay - stepSize * mv[i] / (Math.sqrt(vv[i]) / sqrtCorrection2 + eps);
        }
        write(param, p);
        write(m, mv);
        write(v, vv);
    }

    @Override
    public void close() {
    }

    private static void roundToBf16(double[] values) {
        for (int i = 0; i < values.length; i++) {
            values[i] = DType.roundToBf16((float) values[i]);
        }
    }

    private static int lastDim(String op, Tensor x) {
        requireHost(op, "x", x);
        if (x.rank() < 1) {
            throw new IllegalArgumentException(op + ": x " + x + " needs at least one dimension");
        }
        return (int) x.size(-1);
    }

    private static int rows(Tensor x, int lastDim) {
        return lastDim == 0 ? 0 : (int) (x.numel() / lastDim);
    }

    private static void requireVector(String op, String name, Tensor t, int length, Tensor x) {
        requireHost(op, name, t);
        if (t.rank() != 1 || t.size(0) != length) {
            throw new IllegalArgumentException(op + ": " + name + " " + t + " must be [" + length
                    + "], the last dimension of x " + x);
        }
    }

    private static void requireRowStats(String op, String name, Tensor t, int rows, Tensor x) {
        requireHost(op, name, t);
        if (t.numel() != rows) {
            throw new IllegalArgumentException(op + ": " + name + " " + t + " must hold one value per row of x "
                    + x + ", " + rows + " in all");
        }
    }
}
