package org.dinoj.model.nn;

import org.dinoj.model.backend.Activation;
import org.dinoj.model.backend.AdamWStep;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.Reduction;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;

/**
 * Stand-in for the ReferenceBackend being written on branch ref, so that the nn tests can run
 * before it is merged: plain double loops over getFlat/setFlat. Deleted once ReferenceBackend is
 * merged (NnTesting.backend() then returns it).
 */
final class ScratchLoopBackend implements Backend {
    public String name() { return "scratch"; }
    public Precision precision() { return Precision.F32; }
    public TensorAllocator newArena() { return new HostArena(); }

    public void matmul(Tensor a, Tensor b, Tensor bias, Tensor c, float alpha, float beta) {
        int r = c.rank();
        long m = c.size(-2), n = c.size(-1), k = a.size(-1);
        if (a.size(-2) != m || b.size(-2) != k || b.size(-1) != n || a.rank() != r || b.rank() != r)
            throw new IllegalArgumentException("matmul " + a + " " + b + " " + c);
        long batches = c.numel() / Math.max(m * n, 1);
        long[] cs = c.shape();
        for (long bi = 0; bi < batches; bi++) {
            long[] idx = new long[r];
            long rem = bi;
            for (int d = r - 3; d >= 0; d--) { idx[d] = rem % cs[d]; rem /= cs[d]; }
            long ao = 0, bo = 0, co = 0;
            for (int d = 0; d < r - 2; d++) {
                ao += (a.size(d) == 1 ? 0 : idx[d]) * a.stride(d);
                bo += (b.size(d) == 1 ? 0 : idx[d]) * b.stride(d);
                co += idx[d] * c.stride(d);
            }
            for (long i = 0; i < m; i++) for (long j = 0; j < n; j++) {
                double s = 0;
                for (long q = 0; q < k; q++)
                    s += a.dtype().get(a.data(), ao + i * a.stride(-2) + q * a.stride(-1))
                            * b.dtype().get(b.data(), bo + q * b.stride(-2) + j * b.stride(-1));
                long off = co + i * c.stride(-2) + j * c.stride(-1);
                double v = alpha * s + (bias == null ? 0 : bias.getFlat(j));
                if (beta != 0) v += beta * c.dtype().get(c.data(), off);
                c.dtype().set(c.data(), off, v);
            }
        }
    }

    public void layerNormForward(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean, Tensor var) {
        long d = x.size(-1), rows = x.numel() / d;
        for (long r = 0; r < rows; r++) {
            double mu = 0; for (long i = 0; i < d; i++) mu += x.getFlat(r * d + i); mu /= d;
            double v = 0; for (long i = 0; i < d; i++) { double t = x.getFlat(r * d + i) - mu; v += t * t; } v /= d;
            double rstd = 1 / Math.sqrt(v + eps);
            for (long i = 0; i < d; i++) y.setFlat(r * d + i, (x.getFlat(r * d + i) - mu) * rstd * gamma.getFlat(i) + beta.getFlat(i));
            mean.setFlat(r, mu); var.setFlat(r, v);
        }
    }

    public void layerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor var, float eps, Tensor dy, Tensor dx, Tensor dg, Tensor db) {
        long d = x.size(-1), rows = x.numel() / d;
        double[] g = new double[(int) d], bb = new double[(int) d];
        for (long r = 0; r < rows; r++) {
            double mu = mean.getFlat(r), rstd = 1 / Math.sqrt(var.getFlat(r) + eps);
            double m1 = 0, m2 = 0;
            for (long i = 0; i < d; i++) {
                double xh = (x.getFlat(r * d + i) - mu) * rstd, dyv = dy.getFlat(r * d + i);
                g[(int) i] += dyv * xh; bb[(int) i] += dyv;
                double dxh = dyv * gamma.getFlat(i); m1 += dxh; m2 += dxh * xh;
            }
            m1 /= d; m2 /= d;
            for (long i = 0; i < d; i++) {
                double xh = (x.getFlat(r * d + i) - mu) * rstd, dxh = dy.getFlat(r * d + i) * gamma.getFlat(i);
                dx.setFlat(r * d + i, rstd * (dxh - m1 - xh * m2));
            }
        }
        for (int i = 0; i < d; i++) { dg.setFlat(i, g[i]); db.setFlat(i, bb[i]); }
    }

    public void softmaxForward(Tensor x, Tensor y, boolean log) {
        long d = x.size(-1), rows = x.numel() / d;
        for (long r = 0; r < rows; r++) {
            double mx = Double.NEGATIVE_INFINITY; for (long i = 0; i < d; i++) mx = Math.max(mx, x.getFlat(r * d + i));
            double s = 0; for (long i = 0; i < d; i++) s += Math.exp(x.getFlat(r * d + i) - mx);
            for (long i = 0; i < d; i++) { double z = x.getFlat(r * d + i) - mx; y.setFlat(r * d + i, log ? z - Math.log(s) : Math.exp(z) / s); }
        }
    }

    public void softmaxBackward(Tensor y, Tensor dy, Tensor dx, boolean log) {
        long d = y.size(-1), rows = y.numel() / d;
        for (long r = 0; r < rows; r++) {
            double s = 0;
            for (long i = 0; i < d; i++) s += log ? dy.getFlat(r * d + i) : dy.getFlat(r * d + i) * y.getFlat(r * d + i);
            for (long i = 0; i < d; i++) {
                double yv = y.getFlat(r * d + i), g = dy.getFlat(r * d + i);
                dx.setFlat(r * d + i, log ? g - Math.exp(yv) * s : yv * (g - s));
            }
        }
    }

    static double erf(double x) {
        if (Math.abs(x) > 2) {
            double ax = Math.abs(x), k = ax;
            for (int i = 80; i >= 1; i--) k = ax + (i / 2.0) / k;
            return Math.signum(x) * (1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / k);
        }
        double sum = 0, term = x; int n = 0;
        while (true) { double t = term / (2 * n + 1); sum += t; if (Math.abs(t) < 1e-17 * Math.abs(sum)) break; n++; term *= -x * x / n; }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    public void activationForward(Activation a, Tensor x, Tensor y) {
        for (long i = 0; i < x.numel(); i++) {
            double v = x.getFlat(i);
            y.setFlat(i, switch (a) {
                case GELU_ERF -> 0.5 * v * (1 + erf(v / Math.sqrt(2)));
                case SILU -> v / (1 + Math.exp(-v));
                case RELU -> Math.max(v, 0);
            });
        }
    }

    public void activationBackward(Activation a, Tensor x, Tensor dy, Tensor dx) {
        for (long i = 0; i < x.numel(); i++) {
            double v = x.getFlat(i);
            double d = switch (a) {
                case GELU_ERF -> 0.5 * (1 + erf(v / Math.sqrt(2))) + v * Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI);
                case SILU -> { double s = 1 / (1 + Math.exp(-v)); yield s * (1 + v * (1 - s)); }
                case RELU -> v > 0 ? 1 : 0;
            };
            dx.setFlat(i, d * dy.getFlat(i));
        }
    }

    private static long bIndex(Tensor a, Tensor b, long flat) {
        long off = 0; long rem = flat;
        for (int d = a.rank() - 1; d >= 0; d--) {
            long i = rem % a.size(d); rem /= a.size(d);
            off += (b.size(d) == 1 ? 0 : i) * b.stride(d);
        }
        return off;
    }

    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        if (a.rank() != b.rank() || !a.sameShape(out)) throw new IllegalArgumentException("binary " + a + " " + b + " " + out);
        for (long i = 0; i < a.numel(); i++) {
            double x = a.getFlat(i), y = b.dtype().get(b.data(), bIndex(a, b, i));
            out.setFlat(i, switch (op) { case ADD -> x + y; case SUB -> x - y; case MUL -> x * y; case DIV -> x / y; case MAX -> Math.max(x, y); case MIN -> Math.min(x, y); });
        }
    }

    public void linear(Tensor x, float alpha, float beta, Tensor out) {
        for (long i = 0; i < x.numel(); i++) out.setFlat(i, alpha * x.getFlat(i) + beta);
    }

    public void reduce(Reduction op, Tensor x, Tensor out) {
        if (x.rank() != out.rank()) throw new IllegalArgumentException("reduce " + x + " " + out);
        double[] acc = new double[(int) out.numel()];
        if (op == Reduction.MAX) java.util.Arrays.fill(acc, Double.NEGATIVE_INFINITY);
        Tensor contiguousOut = Tensor.of(java.lang.foreign.MemorySegment.ofArray(new double[acc.length]), org.dinoj.model.tensor.DType.F64, out.shape());
        for (long i = 0; i < x.numel(); i++) {
            int o = (int) bIndex(x, contiguousOut, i);
            double v = x.getFlat(i);
            switch (op) { case SUM, MEAN -> acc[o] += v; case SUM_OF_SQUARES -> acc[o] += v * v; case MAX -> acc[o] = Math.max(acc[o], v); }
        }
        long count = x.numel() / Math.max(out.numel(), 1);
        for (int i = 0; i < acc.length; i++) out.setFlat(i, op == Reduction.MEAN ? acc[i] / count : acc[i]);
    }

    public void copy(Tensor src, Tensor dst) {
        if (!src.sameShape(dst)) throw new IllegalArgumentException("copy " + src + " " + dst);
        for (long i = 0; i < src.numel(); i++) dst.setFlat(i, src.getFlat(i));
    }

    public void fill(Tensor x, float value) { for (long i = 0; i < x.numel(); i++) x.setFlat(i, value); }

    public void adamw(Tensor p, Tensor g, Tensor m, Tensor v, AdamWStep s) { throw new UnsupportedOperationException("adamw"); }

    public void close() {}
}
