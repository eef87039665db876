package org.dinoj.model.backend;

import org.dinoj.model.tensor.Device;
import org.dinoj.model.tensor.Tensor;

/**
 * Plain loops behind the default {@link Backend#l2NormalizeForward} and
 * {@link Backend#l2NormalizeBackward}: host tensors of any dtype and strides, double accumulation.
 */
final class HostL2Normalization {
    private HostL2Normalization() {
    }

    /** x, y: {@code [..., D]}; norm: {@code [rows]}. */
    static void forward(Tensor x, float eps, Tensor y, Tensor norm) {
        requireHost("l2NormalizeForward", x, y, norm);
        requireRows("l2NormalizeForward", x, y, norm);
        long d = x.size(-1);
        long rows = x.numel() / Math.max(d, 1);
        for (long r = 0; r < rows; r++) {
            double sumSq = 0;
            for (long i = 0; i < d; i++) {
                double v = x.getFlat(r * d + i);
                sumSq += v * v;
            }
            double n = Math.sqrt(sumSq);
            double denominator = Math.max(n, eps);
            for (long i = 0; i < d; i++) {
                y.setFlat(r * d + i, x.getFlat(r * d + i) / denominator);
            }
            norm.setFlat(r, n);
        }
    }

    /** y, dy, dx: {@code [..., D]}; norm: {@code [rows]} as saved by {@link #forward}. */
    static void backward(Tensor y, Tensor norm, float eps, Tensor dy, Tensor dx) {
        requireHost("l2NormalizeBackward", y, dy, dx, norm);
        requireRows("l2NormalizeBackward", y, dy, norm);
        if (!dx.sameShape(y)) {
            throw new IllegalArgumentException("l2NormalizeBackward: dx " + dx + " and y " + y + " differ in shape");
        }
        long d = y.size(-1);
        long rows = y.numel() / Math.max(d, 1);
        for (long r = 0; r < rows; r++) {
            double n = norm.getFlat(r);
            if (n > eps) {
                double dot = 0;
                for (long i = 0; i < d; i++) {
                    dot += y.getFlat(r * d + i) * dy.getFlat(r * d + i);
                }
                for (long i = 0; i < d; i++) {
                    dx.setFlat(r * d + i, (dy.getFlat(r * d + i) - y.getFlat(r * d + i) * dot) / n);
                }
            } else {
                // The clamp makes the denominator the constant eps: no projection term.
                for (long i = 0; i < d; i++) {
                    dx.setFlat(r * d + i, dy.getFlat(r * d + i) / eps);
                }
            }
        }
    }

    private static void requireHost(String op, Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t.device() != Device.CPU) {
                throw new UnsupportedOperationException(op + " on " + t + ": this backend has no device kernel for "
                        + "L2 normalisation; it must override " + op);
            }
        }
    }

    private static void requireRows(String op, Tensor x, Tensor y, Tensor norm) {
        if (!x.sameShape(y)) {
            throw new IllegalArgumentException(op + ": " + x + " and " + y + " differ in shape");
        }
        long d = x.size(-1);
        long rows = d == 0 ? 0 : x.numel() / d;
        if (norm.numel() != rows) {
            throw new IllegalArgumentException(op + ": norm " + norm + " needs one element per row of " + x
                    + " (" + rows + ")");
        }
    }
}
