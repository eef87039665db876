package org.dinoj.model.nn;

import org.dinoj.model.backend.Backend;
import org.dinoj.model.tensor.Tensor;

/**
 * dinov2's interpolate_pos_encoding for one target grid: the learned {@code M x M} grid of patch
 * position embeddings resized with PyTorch's bicubic upsampling (cubic convolution, A = -0.75,
 * align_corners=False, border indices clamped, antialias off). With a non-zero
 * {@code interpolate_offset} (dinov2 default 0.1) torch is called with
 * {@code scale_factor = (G + offset) / M}, so the output has G rows but samples at
 * {@code src = (dst + 0.5) * M / (G + offset) - 0.5}; with offset 0 it is called with the output
 * size and samples at {@code (dst + 0.5) * M / G - 0.5}.
 *
 * <p>Bicubic resizing is linear, so it is stored as one matrix
 * {@code K [Gh*Gw, M*M] = kron(Wy, Wx)}: forward {@code out = K grid}, backward
 * {@code dGrid += K^T dOut}.
 */
public final class BicubicPositionInterpolation {
    /** PyTorch's cubic convolution coefficient. */
    public static final double A = -0.75;

    private final Backend backend;
    private final int sourceSize;
    private final int targetHeight;
    private final int targetWidth;
    /** [Gh*Gw, M*M] */
    private final Tensor matrix;

    /** For a source grid {@code M x M} resized to {@code Gh x Gw}. */
    public BicubicPositionInterpolation(LayerContext context, int sourceSize, int targetHeight, int targetWidth,
                                        double offset) {
        this.backend = context.backend();
        this.sourceSize = sourceSize;
        this.targetHeight = targetHeight;
        this.targetWidth = targetWidth;
        double[] wy = weights1d(sourceSize, targetHeight, offset);
        double[] wx = weights1d(sourceSize, targetWidth, offset);
        int m = sourceSize;
        double[] k = new double[targetHeight * targetWidth * m * m];
        for (int i = 0; i < targetHeight; i++) {
            for (int j = 0; j < targetWidth; j++) {
                int row = (i * targetWidth + j) * m * m;
                for (int a = 0; a < m; a++) {
                    double y = wy[i * m + a];
                    if (y == 0) {
                        continue;
                    }
                    for (int c = 0; c < m; c++) {
                        k[row + a * m + c] = y * wx[j * m + c];
                    }
                }
            }
        }
        this.matrix = context.tensor((long) targetHeight * targetWidth, (long) m * m);
        ParameterInit.write(backend, matrix, k);
    }

    /**
     * The 1-D resize as a matrix {@code [target, source]} (row-major): row i holds the weights of
     * the source positions that output position i reads, border repeats folded in.
     */
    public static double[] weights1d(int source, int target, double offset) {
        double scale = offset != 0 ? source / (target + offset) : (double) source / target;
        double[] w = new double[target * source];
        for (int i = 0; i < target; i++) {
            double real = scale * (i + 0.5) - 0.5;
            // torch's guard_index_and_lambda: floor, capped at the last index, fraction clamped to [0, 1]
            int index = (int) Math.min(Math.floor(real), source - 1);
            double t = Math.min(Math.max(real - index, 0.0), 1.0);
            double[] coefficients = {
                    cubicFar(t + 1.0), cubicNear(t), cubicNear(1.0 - t), cubicFar(2.0 - t)};
            for (int tap = 0; tap < 4; tap++) {
                int s = Math.max(Math.min(index - 1 + tap, source - 1), 0);
                w[i * source + s] += coefficients[tap];
            }
        }
        return w;
    }

    /** Cubic convolution kernel for |x| <= 1. */
    static double cubicNear(double x) {
        return ((A + 2) * x - (A + 3)) * x * x + 1;
    }

    /** Cubic convolution kernel for 1 < |x| < 2. */
    static double cubicFar(double x) {
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    }

    public int sourceSize() {
        return sourceSize;
    }

    public long targetTokens() {
        return (long) targetHeight * targetWidth;
    }

    /** grid {@code [M*M, D]} -> out {@code [Gh*Gw, D]}. */
    public void forward(Tensor grid, Tensor out) {
        backend.matmul(matrix, grid, out);
    }

    /** gridGrad {@code [M*M, D]} += K^T dOut {@code [Gh*Gw, D]}. */
    public void backward(Tensor dOut, Tensor gridGrad) {
        backend.matmul(matrix.transpose(0, 1), dOut, null, gridGrad, 1f, 1f);
    }
}
