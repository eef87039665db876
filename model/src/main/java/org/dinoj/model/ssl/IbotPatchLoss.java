package org.dinoj.model.ssl;

import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.backend.Reduction;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;

/**
 * dinov2's {@code iBOTPatchLoss.forward_masked} on the masked patch tokens of the global crops,
 * forward and the gradient w.r.t. the masked student patch logits in one pass:
 * {@code ibot = -sum_i w_i sum_k T[i,k] log_softmax(S[i] / 0.1)_k / nImages}, where patch i belongs
 * to global-crop image b, {@code w_i = 1 / max(#masked patches of b, 1)} (dinov2's {@code masks_weight})
 * and {@code nImages = 2B} counts every global-crop image, masked or not. dinov2 then multiplies by
 * {@code loss_scales (2) * ibot_loss_scale (1/2) = 1}, so this is also the {@code ibot_patch_loss}
 * it back-propagates (before {@code ibot.loss_weight}).
 *
 * <p>Layouts: student logits and teacher targets {@code [M, K]} with the M masked patches in
 * {@code mask_indices_list} order (image-major), weights {@code [M, 1]}, gradient {@code [M, K]}.
 * The workspace is planned once for at most {@code maxMaskedPatches} rows (dinov2's {@code upperbound}).
 */
public final class IbotPatchLoss implements AutoCloseable {
    /** dinov2's {@code student_temp}. */
    public static final double STUDENT_TEMP = 0.1;

    private final Backend backend;
    private final DType dtype;
    private final int maxMaskedPatches;
    private final int prototypes;
    /** [maxM, K] log_softmax(S / T_s). */
    private final Tensor logProbs;
    /** [maxM, K] w_i * T[i, :], then the upstream gradient of logProbs. */
    private final Tensor weightedTargets;
    private final Tensor sum;
    private final HostReadback readback;
    private final double[] sumValue = new double[1];

    public IbotPatchLoss(Backend backend, TensorAllocator allocator, DType dtype, int maxMaskedPatches,
                         int prototypes) {
        this.backend = backend;
        this.dtype = dtype;
        this.maxMaskedPatches = Shapes.positive("iBOT masked-patch capacity", maxMaskedPatches);
        this.prototypes = Shapes.positive("iBOT prototype count", prototypes);
        this.logProbs = allocator.allocate(dtype, maxMaskedPatches, prototypes);
        this.weightedTargets = allocator.allocate(dtype, maxMaskedPatches, prototypes);
        this.sum = allocator.allocate(dtype, 1, 1);
        this.readback = new HostReadback(backend, sum);
    }

    /**
     * dinov2's {@code masks_weight}: for each masked patch, in image-major order,
     * {@code 1 / max(#masked patches of its image, 1)}. Images without masked patches add no entry.
     *
     * @param maskedPerImage number of masked patches of each of the 2B global-crop images
     * @return {@code [M]} weights, {@code M = sum(maskedPerImage)}
     */
    public static double[] maskWeights(int[] maskedPerImage) {
        long total = 0;
        for (int n : maskedPerImage) {
            if (n < 0) {
                throw new IllegalArgumentException("an image has " + n + " masked patches; counts must be >= 0");
            }
            total += n;
        }
        double[] weights = new double[Math.toIntExact(total)];
        int at = 0;
        for (int n : maskedPerImage) {
            double w = 1.0 / Math.max(n, 1);
            for (int i = 0; i < n; i++) {
                weights[at++] = w;
            }
        }
        return weights;
    }

    /**
     * Computes the iBOT patch loss and writes {@code d(lossWeight * ibot) / d studentLogits}.
     *
     * @param studentLogits {@code [M, K]} student head output at the masked patches
     * @param teacherTargets {@code [M, K]} teacher probabilities at the same patches
     * @param weights {@code [M, 1]} from {@link #maskWeights(int[])}
     * @param nImages number of global-crop images 2B (the divisor, including unmasked images)
     * @param grad {@code [M, K]} written
     * @return the unweighted iBOT loss
     */
    public double forwardBackward(Tensor studentLogits, Tensor teacherTargets, Tensor weights, int nImages,
                                  double lossWeight, Tensor grad) {
        long m = studentLogits.size(0);
        if (m < 1 || m > maxMaskedPatches) {
            throw new IllegalArgumentException("iBOT got " + m + " masked patches; this loss was planned for 1.."
                    + maxMaskedPatches);
        }
        if (nImages <= 0) {
            throw new IllegalArgumentException("iBOT image count is " + nImages + "; it must be positive");
        }
        Shapes.require(studentLogits, "iBOT student patch logits", dtype, m, prototypes);
        Shapes.require(teacherTargets, "iBOT teacher patch targets", dtype, m, prototypes);
        Shapes.require(weights, "iBOT patch weights", dtype, m, 1);
        Shapes.require(grad, "gradient of the iBOT student patch logits", dtype, m, prototypes);
        Tensor lsm = logProbs.slice(0, 0, m);
        Tensor wt = weightedTargets.slice(0, 0, m);
        backend.linear(studentLogits, (float) (1 / STUDENT_TEMP), 0f, lsm);
        backend.softmaxForward(lsm, lsm, true);
        backend.binary(BinaryOp.MUL, teacherTargets, weights, wt);
        backend.binary(BinaryOp.MUL, wt, lsm, grad);
        backend.reduce(Reduction.SUM, grad, sum);
        backend.linear(wt, (float) (-lossWeight / (nImages * STUDENT_TEMP)), 0f, wt);
        backend.softmaxBackward(lsm, wt, grad, true);
        readback.read(sumValue);
        return -sumValue[0] / nImages;
    }

    @Override
    public void close() {
        readback.close();
    }
}
