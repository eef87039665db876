package org.dinoj.model.ssl;

import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.backend.Reduction;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;

/**
 * dinov2's centering ({@code softmax_center_teacher} + {@code update_center}) for the DINO CLS
 * logits or the iBOT masked-patch logits: {@code targets = softmax((t - c) / T_t)} with an EMA
 * center {@code c <- 0.9 c + 0.1 mean_rows(t)}, applied LAGGED exactly as dinov2: the rows seen at
 * step k are only folded into the center at the start of step k + 1, so step k is centered with
 * statistics up to step k - 1. The DINO center averages the 2B CLS rows, the iBOT center the M masked
 * patch rows (one process: dinov2's all-reduce over W = 1).
 *
 * <p>Layout: center {@code [1, K]}, logits and targets {@code [N, K]}.
 */
public final class TeacherCentering implements TeacherTargets {
    /** dinov2's {@code center_momentum}. */
    public static final double DEFAULT_MOMENTUM = 0.9;

    private final Backend backend;
    private final DType dtype;
    private final int prototypes;
    private final double momentum;
    private final Tensor center;
    /** [1, K] sum over the rows of the last call, not yet in the center. */
    private final Tensor pendingSum;
    private long pendingRows;

    public TeacherCentering(Backend backend, TensorAllocator allocator, DType dtype, int prototypes, double momentum) {
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("center momentum is " + momentum + "; it must lie in [0, 1]");
        }
        this.backend = backend;
        this.dtype = dtype;
        this.prototypes = Shapes.positive("centering prototype count", prototypes);
        this.momentum = momentum;
        this.center = allocator.allocate(dtype, 1, prototypes);
        this.pendingSum = allocator.allocate(dtype, 1, prototypes);
        backend.fill(center, 0f);
    }

    /**
     * Folds the previous call's rows into the center, writes {@code softmax((logits - center) / T)}
     * and keeps this call's row sum for the next call.
     */
    @Override
    public void compute(Tensor logits, double teacherTemp, Tensor targets) {
        long rows = logits.size(0);
        if (rows < 1) {
            throw new IllegalArgumentException("centering got no teacher rows; it needs at least one to update the"
                    + " center (an iBOT step without masked patches should skip the iBOT term)");
        }
        Shapes.require(logits, "teacher logits", dtype, rows, prototypes);
        Shapes.require(targets, "teacher targets", dtype, rows, prototypes);
        applyPendingUpdate();
        backend.binary(BinaryOp.SUB, logits, center, targets);
        backend.linear(targets, (float) (1 / teacherTemp), 0f, targets);
        backend.softmaxForward(targets, targets, false);
        backend.reduce(Reduction.SUM, logits, pendingSum);
        pendingRows = rows;
    }

    /**
     * {@code c <- m c + (1 - m) pendingSum / pendingRows} if a call's rows are pending. The next
     * {@link #compute} does this first; call it yourself before saving the center so a checkpoint
     * holds every step it has seen.
     */
    public void applyPendingUpdate() {
        if (pendingRows == 0) {
            return;
        }
        backend.linear(pendingSum, (float) ((1 - momentum) / pendingRows), 0f, pendingSum);
        backend.linear(center, (float) momentum, 0f, center);
        backend.binary(BinaryOp.ADD, center, pendingSum, center);
        pendingRows = 0;
    }

    /**
     * Forgets the rows of the last {@link #compute} call without folding them into the center: a
     * refused (non-finite) step must leave the centering state as if it had never run.
     */
    public void discardPendingUpdate() {
        pendingRows = 0;
    }

    public boolean hasPendingUpdate() {
        return pendingRows > 0;
    }

    /** {@code [1, K]} the current center (without a pending update); state for checkpoints. */
    public Tensor center() {
        return center;
    }
}
