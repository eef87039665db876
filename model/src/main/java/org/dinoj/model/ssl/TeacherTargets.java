package org.dinoj.model.ssl;

import org.dinoj.model.tensor.Tensor;

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
}
