package org.dinoj.model.ssl;

import org.dinoj.model.backend.Backend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;

/**
 * Turns teacher head logits into the probability targets of the DINO or iBOT loss
 * ({@code train.centering}: {@link TeacherCentering} or {@link SinkhornKnopp}).
 */
public interface TeacherTargets {

    /**
     * @param logits {@code [N, K]} teacher head output: the 2B global-crop CLS rows (DINO) or the M
     *     masked patch rows (iBOT), contiguous
     * @param teacherTemp the scheduled teacher temperature of this step
     * @param targets {@code [N, K]} written, contiguous; each row sums to 1
     */
    void compute(Tensor logits, double teacherTemp, Tensor targets);

    /**
     * The targets dinov2 uses for {@code train.centering}: one instance for the DINO CLS rows
     * ({@code maxRows = 2B}) and another, with its own center, for the iBOT masked patches
     * ({@code maxRows} = the masked-patch upper bound).
     */
    static TeacherTargets of(CenteringMode mode, Backend backend, TensorAllocator allocator, DType dtype,
                             int maxRows, int prototypes) {
        return switch (mode) {
            case CENTERING -> new TeacherCentering(backend, allocator, dtype, prototypes,
                    TeacherCentering.DEFAULT_MOMENTUM);
            case SINKHORN_KNOPP -> new SinkhornKnopp(backend, allocator, dtype, maxRows, prototypes,
                    SinkhornKnopp.DEFAULT_ITERATIONS);
        };
    }
}
