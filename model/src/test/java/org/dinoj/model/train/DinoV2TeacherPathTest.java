package org.dinoj.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.SplittableRandom;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.dnnl.DnnlBackend;
import org.dinoj.model.data.augment.MultiCropBatch;
import org.dinoj.model.nn.LayerContext;
import org.dinoj.model.nn.Parameter;
import org.dinoj.model.ssl.CenteringMode;
import org.dinoj.model.ssl.NonFiniteStepException;
import org.dinoj.model.ssl.SslConfig;
import org.dinoj.model.ssl.SslSchedules;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The parts of a step no gradient check sees: the teacher's initial copy, the EMA after the
 * optimizer step, and which weights and crops the teacher targets come from.
 */
class DinoV2TeacherPathTest {
    /** Sinkhorn-Knopp keeps no state between calls, so two target computations are comparable. */
    private static final SslConfig SSL = TrainTesting.ssl(CenteringMode.SINKHORN_KNOPP, true);

    private static double[] targets(DinoV2Step step, MultiCropBatch batch) {
        step.load(batch);
        step.computeTeacherTargets(0.04);
        return step.dinoTargetProbabilities().toDoubleArray();
    }

    private static void addToAll(List<Parameter> params, float delta, DnnlBackend backend) {
        for (Parameter p : params) {
            backend.linear(p.value(), 1f, delta, p.value());
        }
    }

    @Test
    void theTeacherStartsAsAnExactCopyOfTheStudentHeadsIncluded() {
        try (DnnlBackend backend = new DnnlBackend(Precision.F32); HostArena arena = new HostArena()) {
            LayerContext context = new LayerContext(backend, arena, DType.F32);
            DinoV2Model model = TrainTesting.model(context, true, 0.2);
            List<Parameter> student = model.studentParameters();
            List<Parameter> teacher = model.teacherParameters();
            assertThat(teacher).extracting(Parameter::name).containsExactlyElementsOf(
                    student.stream().map(Parameter::name).toList());
            assertThat(teacher).extracting(Parameter::name)
                    .contains("dino_head.last_layer.weight_g", "dino_head.last_layer.weight_v",
                            "ibot_head.last_layer.weight_g", "ibot_head.last_layer.weight_v");
            assertThat(TrainTesting.values(teacher)).isDeepEqualTo(TrainTesting.values(student));
        }
    }

    /**
     * With momentum 0.5 and a large lr the EMA of the updated student and that of the student before
     * the step differ by 0.5 * (its AdamW update, ~lr = 0.05 per element), far above f32 rounding.
     * Tolerance 1e-6: two f32 multiply-adds on values of order 1.
     */
    @Test
    void afterAStepTheTeacherIsTheEmaOfTheUpdatedStudent() throws NonFiniteStepException {
        try (DnnlBackend backend = new DnnlBackend(Precision.F32); HostArena arena = new HostArena()) {
            LayerContext context = new LayerContext(backend, arena, DType.F32);
            DinoV2Model model = TrainTesting.model(context, true, 0.2);
            try (DinoV2Step step = TrainTesting.step(context, model, SSL)) {
                // a teacher distinct from the student, so the direction of the EMA shows
                addToAll(model.teacherParameters(), 0.25f, backend);
                double[][] teacherBefore = TrainTesting.values(model.teacherParameters());
                double[][] studentBefore = TrainTesting.values(model.studentParameters());
                double momentum = 0.5;
                SslSchedules.Values values = new SslSchedules.Values(5, 0.05, 0.04, momentum, 0.04, 0.05);
                step.run(TrainTesting.batch(1), 5, values, 1.0, new SplittableRandom(3));
                double[][] studentAfter = TrainTesting.values(model.studentParameters());
                double[][] teacherAfter = TrainTesting.values(model.teacherParameters());
                double largestStudentMove = 0;
                for (int i = 0; i < teacherAfter.length; i++) {
                    for (int j = 0; j < teacherAfter[i].length; j++) {
                        double expected = momentum * teacherBefore[i][j] + (1 - momentum) * studentAfter[i][j];
                        assertThat(teacherAfter[i][j]).as("teacher %s[%d]", model.teacherParameters().get(i).name(), j)
                                .isCloseTo(expected, within(1e-6));
                        largestStudentMove = Math.max(largestStudentMove, Math.abs(studentAfter[i][j] - studentBefore[i][j]));
                    }
                }
                assertThat(largestStudentMove).as("the step moved the student").isGreaterThan(0.01);
            }
        }
    }

    /**
     * Targets come from the teacher's weights only, without stochastic depth (the model has drop
     * path 0.2, so a training-mode pass would differ between calls) and from the unmasked crops
     * (changing the masks leaves them unchanged).
     */
    @Test
    void teacherTargetsUseTheTeacherWeightsInInferenceModeOnUnmaskedCrops() {
        try (DnnlBackend backend = new DnnlBackend(Precision.F32); HostArena arena = new HostArena()) {
            LayerContext context = new LayerContext(backend, arena, DType.F32);
            DinoV2Model model = TrainTesting.model(context, true, 0.2);
            try (DinoV2Step step = TrainTesting.step(context, model, SSL)) {
                MultiCropBatch batch = TrainTesting.batch(4);
                double[] first = targets(step, batch);
                assertThat(targets(step, batch)).as("a second call").containsExactly(first);
                int patches = TrainTesting.PATCHES;
                int[][] everyOtherPatch = new int[2 * TrainTesting.BATCH][];
                for (int c = 0; c < everyOtherPatch.length; c++) {
                    everyOtherPatch[c] = c % 2 == 0 ? new int[] {0, 2} : new int[] {1, patches - 1};
                }
                assertThat(targets(step, TrainTesting.withMasks(batch, everyOtherPatch))).as("other masks")
                        .containsExactly(first);
                addToAll(model.studentParameters(), 0.3f, backend);
                assertThat(targets(step, batch)).as("after changing the student").containsExactly(first);
                addToAll(model.teacherParameters(), 0.3f, backend);
                double[] changed = targets(step, batch);
                double largest = 0;
                for (int i = 0; i < first.length; i++) {
                    largest = Math.max(largest, Math.abs(changed[i] - first[i]));
                }
                assertThat(largest).as("after changing the teacher").isGreaterThan(1e-3);
            }
        }
    }
}
