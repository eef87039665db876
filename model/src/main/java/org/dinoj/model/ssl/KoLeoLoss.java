package org.dinoj.model.ssl;

import java.util.Arrays;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Device;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;

/**
 * dinov2's {@code KoLeoLoss} (Kozachenko-Leonenko entropy estimator) on the student backbone CLS
 * features of one global crop, forward and gradient, computed in double on the host (the work is
 * {@code B x B x D}, small; pitfall 5: never in half precision):
 * <pre>
 * u_i  = x_i / max(||x_i||, 1e-8)
 * j(i) = first argmax_j &lt;u_i, u_j&gt; with the diagonal set to -1
 * d_i  = || u_i - u_j(i) + 1e-8 ||_2          (torch PairwiseDistance adds eps to the difference)
 * KoLeo = -mean_i log(d_i + 1e-8)
 * </pre>
 * The neighbour choice carries no gradient; the neighbour's own features do.
 *
 * <p>Layout: features {@code [B, D]} (one crop's rows of the {@code [2B, D]} crop-major CLS tensor),
 * gradient {@code [B, D]}. Device tensors are staged through host copies planned once.
 */
public final class KoLeoLoss implements AutoCloseable {
    /** dinov2's eps for the normalisation, the pairwise distance and the log. */
    public static final double EPS = 1e-8;

    private final Backend backend;
    private final int batchSize;
    private final int dim;
    private final double[] unit;
    private final double[] norms;
    private final int[] neighbour;
    private final double[] distances;
    private final double[] unitGrad;
    private final HostArena stagingArena;
    private final Tensor stagingIn;
    private final Tensor stagingOut;

    /**
     * @param batchSize B, rows per crop; at least 2, else every row would be its own neighbour
     * @param dim D, the backbone embedding size
     * @param dtype element type of the feature and gradient tensors
     * @param device where they live (device tensors are staged on the host)
     */
    public KoLeoLoss(Backend backend, int batchSize, int dim, DType dtype, Device device) {
        if (batchSize < 2) {
            throw new IllegalArgumentException("KoLeo needs at least 2 images per crop, got a batch of " + batchSize
                    + "; with one image its nearest neighbour is itself and the loss is meaningless; raise the batch size"
                    + " or set dino.koleo_loss_weight to 0");
        }
        this.backend = backend;
        this.batchSize = batchSize;
        this.dim = Shapes.positive("KoLeo feature dimension", dim);
        this.unit = new double[batchSize * dim];
        this.norms = new double[batchSize];
        this.neighbour = new int[batchSize];
        this.distances = new double[batchSize];
        this.unitGrad = new double[batchSize * dim];
        if (device == Device.CPU) {
            stagingArena = null;
            stagingIn = null;
            stagingOut = null;
        } else {
            stagingArena = new HostArena();
            stagingIn = stagingArena.allocate(dtype, batchSize, dim);
            stagingOut = stagingArena.allocate(dtype, batchSize, dim);
        }
    }

    /**
     * Computes KoLeo of one crop's features and writes {@code d(weight * KoLeo) / dx}.
     *
     * @param features {@code [B, D]} student backbone CLS tokens (after the final norm)
     * @param grad {@code [B, D]} written
     * @return the unweighted KoLeo value
     */
    public double forwardBackward(Tensor features, double weight, Tensor grad) {
        requireShape(features, "KoLeo features");
        requireShape(grad, "KoLeo gradient");
        Tensor hostIn = features;
        if (features.device() != Device.CPU) {
            backend.copy(features, stagingIn);
            hostIn = stagingIn;
        }
        backend.synchronize();
        double loss = forward(hostIn);
        backward(weight);
        Tensor hostOut = grad.device() == Device.CPU ? grad : stagingOut;
        for (int i = 0; i < batchSize; i++) {
            writeInputGradient(i, hostOut);
        }
        if (hostOut != grad) {
            backend.copy(hostOut, grad);
        }
        return loss;
    }

    /**
     * dinov2's KoLeo term {@code weight * (KoLeo(crop 0) + KoLeo(crop 1))}: each global crop on its
     * own, never between the two crops of one image. Writes its gradient.
     *
     * @param globalCls {@code [2B, D]} student backbone CLS tokens of the global crops, crop-major
     * @param grad {@code [2B, D]} written
     * @return the weighted term (dinov2 logs half of it as {@code koleo_loss})
     */
    public double forwardBackwardGlobalCrops(Tensor globalCls, double weight, Tensor grad) {
        if (globalCls.rank() != 2 || globalCls.size(0) != 2L * batchSize || grad.rank() != 2
                || grad.size(0) != 2L * batchSize) {
            throw new IllegalArgumentException("KoLeo global-crop features " + globalCls + " and gradient " + grad
                    + " must both be [" + 2 * batchSize + ", " + dim + "] (two crops of " + batchSize + " images)");
        }
        double sum = 0;
        for (int c = 0; c < 2; c++) {
            sum += forwardBackward(globalCls.slice(0, (long) c * batchSize, batchSize), weight,
                    grad.slice(0, (long) c * batchSize, batchSize));
        }
        return weight * sum;
    }

    private double forward(Tensor x) {
        for (int i = 0; i < batchSize; i++) {
            double sq = 0;
            int row = i * dim;
            for (int c = 0; c < dim; c++) {
                double v = x.get(i, c);
                unit[row + c] = v;
                sq += v * v;
            }
            norms[i] = Math.sqrt(sq);
            double denom = Math.max(norms[i], EPS);
            for (int c = 0; c < dim; c++) {
                unit[row + c] /= denom;
            }
        }
        double sumLog = 0;
        for (int i = 0; i < batchSize; i++) {
            // torch.max returns the first index of the maximum; the diagonal counts as -1.
            int best = -1;
            double bestDot = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < batchSize; j++) {
                double dot = i == j ? -1.0 : dot(i, j);
                if (dot > bestDot) {
                    bestDot = dot;
                    best = j;
                }
            }
            if (best < 0) {
                // every dot product is NaN (non-finite features): any neighbour gives a NaN loss, which refuses the step
                best = i == 0 ? 1 : 0;
            }
            neighbour[i] = best;
            double sq = 0;
            for (int c = 0; c < dim; c++) {
                double diff = unit[i * dim + c] - unit[best * dim + c] + EPS;
                sq += diff * diff;
            }
            distances[i] = Math.sqrt(sq);
            sumLog += Math.log(distances[i] + EPS);
        }
        return -sumLog / batchSize;
    }

    private double dot(int i, int j) {
        double s = 0;
        int a = i * dim;
        int b = j * dim;
        for (int c = 0; c < dim; c++) {
            s += unit[a + c] * unit[b + c];
        }
        return s;
    }

    /** Fills unitGrad = d(weight * KoLeo) / du. */
    private void backward(double weight) {
        Arrays.fill(unitGrad, 0);
        for (int i = 0; i < batchSize; i++) {
            double d = distances[i];
            if (d == 0) {
                continue; // the norm's subgradient at 0, as torch
            }
            // dL/dd_i = -weight / (B (d_i + eps)); dd_i/du_i = (u_i - u_j + eps) / d_i = -dd_i/du_j
            double scale = -weight / (batchSize * (d + EPS)) / d;
            int j = neighbour[i];
            for (int c = 0; c < dim; c++) {
                double g = scale * (unit[i * dim + c] - unit[j * dim + c] + EPS);
                unitGrad[i * dim + c] += g;
                unitGrad[j * dim + c] -= g;
            }
        }
    }

    /** Back through u = x / max(||x||, eps): {@code (g - u (u . g)) / ||x||}, or {@code g / eps} when clamped. */
    private void writeInputGradient(int i, Tensor out) {
        int row = i * dim;
        if (norms[i] < EPS) {
            for (int c = 0; c < dim; c++) {
                out.set(unitGrad[row + c] / EPS, i, c);
            }
            return;
        }
        double ug = 0;
        for (int c = 0; c < dim; c++) {
            ug += unit[row + c] * unitGrad[row + c];
        }
        for (int c = 0; c < dim; c++) {
            out.set((unitGrad[row + c] - unit[row + c] * ug) / norms[i], i, c);
        }
    }

    private void requireShape(Tensor t, String what) {
        if (t.rank() != 2 || t.size(0) != batchSize || t.size(1) != dim) {
            throw new IllegalArgumentException(what + " is " + t + "; expected [" + batchSize + ", " + dim + "]");
        }
    }

    @Override
    public void close() {
        if (stagingArena != null) {
            stagingArena.close();
        }
    }
}
