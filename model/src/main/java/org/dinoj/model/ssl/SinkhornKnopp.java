package org.dinoj.model.ssl;

import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.backend.Reduction;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;

/**
 * dinov2's {@code sinkhorn_knopp_teacher} (DINO) and its iBOT variant, in the {@code [N, K]} layout
 * (dinov2 works on {@code Q = exp(t / T).T}, {@code [K, N]}; the arithmetic is the same):
 * <pre>
 * Q = exp(t / T - max(t / T)); Q /= sum(Q)         one softmax over all N*K entries: the single
 *                                                  global max makes it exactly invariant
 * 3 times: Q[:, k] /= sum_n Q[n, k] * K           each prototype gets mass 1/K
 *          Q[n, :] /= sum_k Q[n, k] * B           each sample gets mass 1/B
 * Q *= B                                          each sample row sums to 1
 * </pre>
 * B is the number of samples: the N = 2B rows for DINO ({@code Q.shape[1] * world_size}), the
 * {@code n_masked_patches} rows for iBOT (all-reduced); with one process both are N. dinov2 has no
 * max subtraction; a per-row shift would not be invariant with only 3 iterations, the global one is.
 * No center is kept. {@code Q *= B} is folded into the last sample normalisation.
 *
 * <p>Layout: logits and targets {@code [N, K]} contiguous, N at most the planned {@code maxRows}.
 */
public final class SinkhornKnopp implements TeacherTargets {
    /** dinov2's {@code n_iterations}. */
    public static final int DEFAULT_ITERATIONS = 3;

    private final Backend backend;
    private final DType dtype;
    private final int maxRows;
    private final int prototypes;
    private final int iterations;
    /** [1, K] per-prototype mass. */
    private final Tensor prototypeSums;
    /** [maxRows, 1] per-sample mass. */
    private final Tensor sampleSums;

    public SinkhornKnopp(Backend backend, TensorAllocator allocator, DType dtype, int maxRows, int prototypes,
                         int iterations) {
        if (iterations < 1) {
            throw new IllegalArgumentException("Sinkhorn-Knopp needs at least one iteration, got " + iterations);
        }
        this.backend = backend;
        this.dtype = dtype;
        this.maxRows = Shapes.positive("Sinkhorn-Knopp row capacity", maxRows);
        this.prototypes = Shapes.positive("Sinkhorn-Knopp prototype count", prototypes);
        this.iterations = iterations;
        this.prototypeSums = allocator.allocate(dtype, 1, prototypes);
        this.sampleSums = allocator.allocate(dtype, maxRows, 1);
    }

    /** Targets with B = the number of rows of {@code logits}. */
    @Override
    public void compute(Tensor logits, double teacherTemp, Tensor targets) {
        long rows = logits.size(0);
        if (rows < 1 || rows > maxRows) {
            throw new IllegalArgumentException("Sinkhorn-Knopp got " + rows + " teacher rows; it was planned for 1.."
                    + maxRows);
        }
        Shapes.require(logits, "teacher logits", dtype, rows, prototypes);
        Shapes.require(targets, "teacher targets", dtype, rows, prototypes);
        Shapes.requireContiguous(targets, "Sinkhorn-Knopp targets");
        Tensor samples = sampleSums.slice(0, 0, rows);
        backend.linear(logits, (float) (1 / teacherTemp), 0f, targets);
        Tensor flat = targets.view(1, rows * prototypes);
        backend.softmaxForward(flat, flat, false);
        for (int it = 0; it < iterations; it++) {
            backend.reduce(Reduction.SUM, targets, prototypeSums);
            backend.linear(prototypeSums, prototypes, 0f, prototypeSums);
            backend.binary(BinaryOp.DIV, targets, prototypeSums, targets);
            backend.reduce(Reduction.SUM, targets, samples);
            boolean last = it == iterations - 1;
            if (!last) {
                backend.linear(samples, rows, 0f, samples);
            }
            backend.binary(BinaryOp.DIV, targets, samples, targets);
        }
    }
}
