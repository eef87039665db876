package org.dinoj.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.dnnl.DnnlBackend;
import org.dinoj.model.backend.reference.ReferenceBackend;
import org.dinoj.model.data.augment.MultiCropBatch;
import org.dinoj.model.nn.LayerContext;
import org.dinoj.model.nn.Parameter;
import org.dinoj.model.ssl.CenteringMode;
import org.dinoj.model.ssl.NonFiniteStepException;
import org.dinoj.model.ssl.SslConfig;
import org.dinoj.model.ssl.SslSchedules;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.junit.jupiter.api.Test;

/** One DINOv2 step on the tiny set-up: backends agree, refused steps apply nothing, no steady-state allocation. */
class DinoV2StepTest {

    /** Everything a step can change, read back to Java arrays. */
    private record State(double[][] student, double[][] teacher, double[][] grads, double[][] firstMoments,
                         double[][] secondMoments, double[] dinoCenter, double[] ibotCenter, long optimizerSteps) {
        static State of(DinoV2Step step) {
            DinoV2Model model = step.model();
            List<Parameter> student = model.studentParameters();
            int n = step.optimizer().parameters().size();
            double[][] m = new double[n][];
            double[][] v = new double[n][];
            for (int i = 0; i < n; i++) {
                m[i] = step.optimizer().firstMoment(i).toDoubleArray();
                v[i] = step.optimizer().secondMoment(i).toDoubleArray();
            }
            return new State(TrainTesting.values(student), TrainTesting.values(model.teacherParameters()),
                    TrainTesting.grads(student), m, v,
                    step.dinoCenter() == null ? null : step.dinoCenter().toDoubleArray(),
                    step.ibotCenter() == null ? null : step.ibotCenter().toDoubleArray(), step.optimizer().stepCount());
        }

        void assertSameWeightsAs(State other) {
            assertThat(student).as("student").isDeepEqualTo(other.student);
            assertThat(teacher).as("teacher").isDeepEqualTo(other.teacher);
            assertThat(firstMoments).as("AdamW exp_avg").isDeepEqualTo(other.firstMoments);
            assertThat(secondMoments).as("AdamW exp_avg_sq").isDeepEqualTo(other.secondMoments);
            assertThat(dinoCenter).as("DINO center").isEqualTo(other.dinoCenter);
            assertThat(ibotCenter).as("iBOT center").isEqualTo(other.ibotCenter);
            assertThat(optimizerSteps).as("AdamW steps").isEqualTo(other.optimizerSteps);
        }
    }

    private static final SslConfig SSL = TrainTesting.ssl(CenteringMode.CENTERING, false);
    private static final SslSchedules SCHEDULES = new SslSchedules(SSL, TrainTesting.BATCH);

    private static StepOutcome run(DinoV2Step step, MultiCropBatch batch, long iteration) throws NonFiniteStepException {
        return step.run(batch, iteration, SCHEDULES.at(iteration), 1.0, new SplittableRandom(100 + iteration));
    }

    private static double maxAbs(double[] values) {
        double m = 0;
        for (double v : values) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /**
     * dnnl against the reference backend on one full step (f32 storage both): the loss terms, every
     * student gradient (after clipping) and the parameter update.
     *
     * <p>f32 tolerance: the loss terms agree to 1e-4 relative (f32 rounding, ~6e-8 per op, over a few
     * hundred ops, amplified 10x by the student temperature 0.1; measured 1.5e-5); gradients to 1e-3 of each tensor's
     * largest element (summation order differs; small elements carry relatively more noise). The
     * first AdamW update is {@code -lr * g / (|g| + 1e-8)} plus decay: about {@code -lr sign(g)} for
     * every gradient above the noise floor, so it is compared where {@code |g|} is over 1% of the
     * tensor's largest, to 1e-3 lr.
     */
    @Test
    void dnnlMatchesTheReferenceOnAFullStepInF32() throws NonFiniteStepException {
        compareWithReference(Precision.F32, 1e-4, 1e-3);
    }

    /**
     * bf16 matmuls (dnnl) against the f32 reference. Derived tolerance: bf16 rounds each matmul input
     * to 8 significant bits, a relative error of at most 2^-9 ~ 2e-3 per input, ~4e-3 per product;
     * the loss passes through ~12 matmuls in series (patch embedding, qkv, q k^T, attention v, proj,
     * fc1, fc2, three head layers, the prototypes, and their backward for the gradient), and the
     * student temperature 0.1 scales logit errors 10x: ~12 x 4e-3 = 5e-2 relative on the loss terms
     * and 2e-1 of a tensor's largest gradient. (oneDNN may run matmuls this small in f32 anyway; the
     * bound holds either way.) The parameter update is not compared: AdamW's first
     * step is sign(g), which flips wherever bf16 moves a small gradient across zero.
     */
    @Test
    void dnnlBf16StaysWithinTheDerivedBoundOfTheF32Reference() throws NonFiniteStepException {
        compareWithReference(Precision.BF16, 5e-2, 2e-1);
    }

    private void compareWithReference(Precision precision, double lossTolerance, double gradientTolerance)
            throws NonFiniteStepException {
        MultiCropBatch batch = TrainTesting.batch(21);
        try (Backend reference = new ReferenceBackend(Precision.F32); HostArena refArena = new HostArena();
             DnnlBackend dnnl = new DnnlBackend(precision); HostArena dnnlArena = new HostArena()) {
            LayerContext refContext = new LayerContext(reference, refArena, DType.F32);
            LayerContext dnnlContext = new LayerContext(dnnl, dnnlArena, DType.F32);
            DinoV2Model refModel = TrainTesting.model(refContext, false, 0.2);
            DinoV2Model dnnlModel = TrainTesting.model(dnnlContext, false, 0.2);
            try (DinoV2Step refStep = TrainTesting.step(refContext, refModel, SSL);
                 DinoV2Step dnnlStep = TrainTesting.step(dnnlContext, dnnlModel, SSL)) {
                State before = State.of(refStep);
                assertThat(State.of(dnnlStep).student).as("same initialisation").isDeepEqualTo(before.student);
                StepOutcome ref = run(refStep, batch, 0);
                StepOutcome got = run(dnnlStep, batch, 0);
                assertThat(ref.maskedPatches()).isPositive();
                double[] expected = {ref.terms().dinoLocalCropsLoss(), ref.terms().dinoGlobalCropsLoss(),
                        ref.terms().koleoTerm(), ref.terms().ibotLoss()};
                double[] actual = {got.terms().dinoLocalCropsLoss(), got.terms().dinoGlobalCropsLoss(),
                        got.terms().koleoTerm(), got.terms().ibotLoss()};
                for (int i = 0; i < expected.length; i++) {
                    assertThat(actual[i]).as("loss term %d", i)
                            .isCloseTo(expected[i], within(lossTolerance * Math.abs(expected[i])));
                }
                State refAfter = State.of(refStep);
                State dnnlAfter = State.of(dnnlStep);
                List<Parameter> params = refModel.studentParameters();
                double lr = SCHEDULES.at(0).lr();
                for (int p = 0; p < params.size(); p++) {
                    double[] g = refAfter.grads[p];
                    double scale = maxAbs(g);
                    for (int i = 0; i < g.length; i++) {
                        assertThat(dnnlAfter.grads[p][i]).as("gradient of %s[%d]", params.get(p).name(), i)
                                .isCloseTo(g[i], within(gradientTolerance * scale + 1e-12));
                        if (precision == Precision.F32 && Math.abs(g[i]) > 0.01 * scale) {
                            double refDelta = refAfter.student[p][i] - before.student[p][i];
                            double dnnlDelta = dnnlAfter.student[p][i] - before.student[p][i];
                            assertThat(dnnlDelta).as("update of %s[%d]", params.get(p).name(), i)
                                    .isCloseTo(refDelta, within(1e-3 * lr));
                        }
                    }
                }
                // The teacher moved by (1 - m) times the student update.
                for (int p = 0; p < refAfter.teacher.length; p++) {
                    for (int i = 0; i < refAfter.teacher[p].length; i++) {
                        assertThat(dnnlAfter.teacher[p][i]).isCloseTo(refAfter.teacher[p][i], within(2 * lr));
                    }
                }
            }
        }
    }

    @Test
    void aNonFiniteStepAppliesNothingAndTrainingContinuesAsIfItHadNotHappened() throws NonFiniteStepException {
        MultiCropBatch first = TrainTesting.batch(1);
        MultiCropBatch second = TrainTesting.batch(2);
        float[] poisoned = second.globalCrops().clone();
        poisoned[5] = Float.NaN;
        MultiCropBatch bad = new MultiCropBatch(second.batchSize(), second.channels(), second.globalCropsSize(),
                second.localCropsSize(), second.localCropsNumber(), poisoned, second.localCrops(), second.patchesPerCrop(),
                second.masks(), second.maskIndices(), second.masksWeight(), second.maskTargets(), second.upperbound());
        State withRefusal;
        State withoutRefusal;
        try (DnnlBackend backend = new DnnlBackend(Precision.F32); HostArena arena = new HostArena()) {
            LayerContext context = new LayerContext(backend, arena, DType.F32);
            try (DinoV2Step step = TrainTesting.step(context, TrainTesting.model(context, false, 0.2), SSL)) {
                run(step, first, 0);
                run(step, second, 1);
                step.settleCenters(); // fold step 1's rows now, so the snapshot is comparable bit for bit
                State before = State.of(step);
                assertThatThrownBy(() -> run(step, bad, 2))
                        .isInstanceOf(NonFiniteStepException.class)
                        .hasMessageContaining("step 2")
                        .satisfies(e -> assertThat(((NonFiniteStepException) e).kind())
                                .isEqualTo(NonFiniteStepException.Kind.LOSS));
                State.of(step).assertSameWeightsAs(before);
                StepOutcome after = run(step, first, 2);
                assertThat(after.loss()).isFinite();
                step.settleCenters();
                withRefusal = State.of(step);
            }
        }
        try (DnnlBackend backend = new DnnlBackend(Precision.F32); HostArena arena = new HostArena()) {
            LayerContext context = new LayerContext(backend, arena, DType.F32);
            try (DinoV2Step step = TrainTesting.step(context, TrainTesting.model(context, false, 0.2), SSL)) {
                run(step, first, 0);
                run(step, second, 1);
                run(step, first, 2);
                step.settleCenters();
                withoutRefusal = State.of(step);
            }
        }
        withRefusal.assertSameWeightsAs(withoutRefusal);
        assertThat(Arrays.stream(withRefusal.dinoCenter).allMatch(Double::isFinite)).isTrue();
    }

    /**
     * A NaN planted in one backbone gradient after backward (the loss itself is finite) refuses the
     * step: a GRADIENT error naming the step and the sub-module, and no optimizer, EMA or center update.
     */
    @Test
    void aNanInjectedIntoAGradientIsRefusedNamingTheStepAndTheSubModuleWithNothingApplied()
            throws NonFiniteStepException {
        try (DnnlBackend backend = new DnnlBackend(Precision.F32); HostArena arena = new HostArena()) {
            LayerContext context = new LayerContext(backend, arena, DType.F32);
            try (DinoV2Step step = TrainTesting.step(context, TrainTesting.model(context, false, 0.2), SSL)) {
                run(step, TrainTesting.batch(1), 0);
                step.settleCenters();
                State before = State.of(step);

                step.load(TrainTesting.batch(2));
                step.computeTeacherTargets(SCHEDULES.at(1).teacherTemp());
                org.dinoj.model.ssl.SslLossTerms terms = step.studentForwardBackward(new SplittableRandom(101));
                assertThat(terms.total(SSL.dino().lossWeight(), SSL.ibot().lossWeight())).isFinite();
                Parameter poisoned = step.model().studentModules().get(DinoV2Model.BACKBONE).get(2);
                poisoned.grad().setFlat(poisoned.grad().numel() / 2, Float.NaN);

                assertThatThrownBy(() -> step.apply(1, terms, SCHEDULES.at(1), 1.0))
                        .isInstanceOf(NonFiniteStepException.class)
                        .hasMessageContaining("step 1").hasMessageContaining("gradient of backbone")
                        .satisfies(e -> {
                            NonFiniteStepException n = (NonFiniteStepException) e;
                            assertThat(n.kind()).isEqualTo(NonFiniteStepException.Kind.GRADIENT);
                            assertThat(n.source()).isEqualTo(DinoV2Model.BACKBONE);
                            assertThat(n.step()).isEqualTo(1);
                        });
                step.settleCenters();
                State.of(step).assertSameWeightsAs(before);
            }
        }
    }

    @Test
    void aSteadyStateStepAllocatesNoNativeMemory() throws NonFiniteStepException {
        MultiCropBatch batch = TrainTesting.batch(4);
        try (DnnlBackend backend = new DnnlBackend(Precision.F32); HostArena arena = new HostArena()) {
            LayerContext context = new LayerContext(backend, arena, DType.F32);
            SslConfig separate = TrainTesting.ssl(CenteringMode.SINKHORN_KNOPP, true);
            try (DinoV2Step step = TrainTesting.step(context, TrainTesting.model(context, true, 0.2), separate)) {
                SslSchedules schedules = new SslSchedules(separate, TrainTesting.BATCH);
                for (int i = 0; i < 2; i++) {
                    step.run(batch, i, schedules.at(i), 1.0, new SplittableRandom(i));
                }
                long planned = HostArena.allocationCount();
                for (int i = 2; i < 5; i++) {
                    step.run(batch, i, schedules.at(i), 1.0, new SplittableRandom(i));
                }
                assertThat(HostArena.allocationCount()).isEqualTo(planned);
            }
        }
    }
}
