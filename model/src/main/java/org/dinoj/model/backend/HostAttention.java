package org.dinoj.model.backend;

import org.dinoj.model.tensor.Device;
import org.dinoj.model.tensor.Tensor;

/**
 * Plain loops behind the default {@link Backend#attentionForward} and
 * {@link Backend#attentionBackward}, the specification of the fused attention: host tensors of
 * any dtype, double accumulation. Per sample b and head h, with q, k, v the {@code [N, hd]}
 * slices of qkv: {@code S = scale q k^T}, {@code lse_i = log sum_j exp S_ij},
 * {@code P = exp(S - lse)}, {@code out = P v}.
 */
final class HostAttention {
    private HostAttention() {
    }

    /** qkv {@code [B, N, 3D]}, out {@code [B, N, D]}, lse {@code [B, H, N]}. */
    static void forward(Tensor qkv, int heads, float scale, Tensor out, Tensor lse) {
        AttentionShape shape = AttentionShape.of("attentionForward", qkv, heads, out, lse);
        requireHost("attentionForward", qkv, out, lse);
        int n = (int) shape.tokens();
        int hd = shape.headDim();
        long dim = shape.dim();
        double[] scores = new double[n];
        for (long b = 0; b < shape.batch(); b++) {
            for (int h = 0; h < heads; h++) {
                long qc = (long) h * hd;
                long kc = dim + qc;
                long vc = 2 * dim + qc;
                for (int i = 0; i < n; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int d = 0; d < hd; d++) {
                            s += qkv.get(b, i, qc + d) * qkv.get(b, j, kc + d);
                        }
                        scores[j] = scale * s;
                        max = Math.max(max, scores[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < n; j++) {
                        sum += Math.exp(scores[j] - max);
                    }
                    double logSumExp = max + Math.log(sum);
                    for (int d = 0; d < hd; d++) {
                        double acc = 0;
                        for (int j = 0; j < n; j++) {
                            acc += Math.exp(scores[j] - logSumExp) * qkv.get(b, j, vc + d);
                        }
                        out.set(acc, b, i, qc + d);
                    }
                    lse.set(logSumExp, b, h, i);
                }
            }
        }
    }

    /**
     * qkv, out, lse as from {@link #forward}; dOut {@code [B, N, D]}; writes dQkv {@code [B, N, 3D]}:
     * {@code dv = P^T dO}, {@code dP = dO v^T}, {@code dS = P (dP - rowsum(dO * out))},
     * {@code dq = scale dS k}, {@code dk = scale dS^T q}.
     */
    static void backward(Tensor qkv, Tensor out, Tensor lse, Tensor dOut, int heads, float scale, Tensor dQkv) {
        AttentionShape shape = AttentionShape.of("attentionBackward", qkv, heads, out, lse);
        shape.requireRows("attentionBackward", dOut, "dOut");
        if (!dQkv.sameShape(qkv)) {
            throw new IllegalArgumentException("attentionBackward: dQkv " + dQkv + " must have qkv's shape " + qkv);
        }
        requireHost("attentionBackward", qkv, out, lse, dOut, dQkv);
        int n = (int) shape.tokens();
        int hd = shape.headDim();
        long dim = shape.dim();
        double[][] p = new double[n][n];
        double[][] dS = new double[n][n];
        for (long b = 0; b < shape.batch(); b++) {
            for (int h = 0; h < heads; h++) {
                long qc = (long) h * hd;
                long kc = dim + qc;
                long vc = 2 * dim + qc;
                for (int i = 0; i < n; i++) {
                    double rowDot = 0; // sum_d dO_id out_id = sum_j P_ij dP_ij
                    for (int d = 0; d < hd; d++) {
                        rowDot += dOut.get(b, i, qc + d) * out.get(b, i, qc + d);
                    }
                    double logSumExp = lse.get(b, h, i);
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        double dp = 0;
                        for (int d = 0; d < hd; d++) {
                            s += qkv.get(b, i, qc + d) * qkv.get(b, j, kc + d);
                            dp += dOut.get(b, i, qc + d) * qkv.get(b, j, vc + d);
                        }
                        p[i][j] = Math.exp(scale * s - logSumExp);
                        dS[i][j] = p[i][j] * (dp - rowDot);
                    }
                }
                for (int i = 0; i < n; i++) {
                    for (int d = 0; d < hd; d++) {
                        double dq = 0;
                        double dk = 0;
                        double dv = 0;
                        for (int j = 0; j < n; j++) {
                            dq += dS[i][j] * qkv.get(b, j, kc + d);
                            dk += dS[j][i] * qkv.get(b, j, qc + d);
                            dv += p[j][i] * dOut.get(b, j, qc + d);
                        }
                        dQkv.set(scale * dq, b, i, qc + d);
                        dQkv.set(scale * dk, b, i, kc + d);
                        dQkv.set(dv, b, i, vc + d);
                    }
                }
            }
        }
    }

    private static void requireHost(String op, Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t.device() != Device.CPU) {
                throw new UnsupportedOperationException(op + " on " + t + ": this backend has no device kernel for "
                        + "fused attention; it must override " + op);
            }
        }
    }
}
