package org.dinoj.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.SplittableRandom;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.cuda.CudaArena;
import org.dinoj.model.backend.cuda.CudaBackend;
import org.dinoj.model.backend.cuda.CudaTestDevice;
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
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One full DINOv2 step (teacher targets, student forward and backward through heads and backbone,
 * DINO, iBOT and KoLeo losses, clipping, AdamW, EMA) with every tensor on the GPU against the
 * reference backend on the host, on the tiny set-up of {@link TrainTesting}: loss terms, every
 * student gradient after clipping, the parameter update and the teacher.
 *
 * <p>Tolerances, derived as in DinoV2StepTest for dnnl (the same situation: f32 storage on both
 * sides, f32 accumulation against the reference's double): f32 loss terms to 1e-4 relative
 * (~6e-8 per rounding over a few hundred ops, amplified 10x by the student temperature 0.1),
 * gradients to 1e-3 of each tensor's largest element, and the first AdamW update (about
 * {@code -lr sign(g)}) to 1e-3 lr wherever |g| exceeds 1% of the tensor's largest. bf16 matmuls:
 * each input rounded to 8 significant bits (2^-9 relative), ~4e-3 per product, through ~12 matmuls
 * in series and the 10x temperature: 5e-2 relative on the losses and 2e-1 of a tensor's largest
 * gradient; the update is not compared in bf16 (sign(g) flips where bf16 moves a small gradient
 * across zero).
 */
@Tag("gpu")
class CudaDinoV2StepTest {

    @BeforeAll
    static void needDevice() {
        CudaTestDevice.assumeAvailable();
    }

    @ParameterizedTest(name = "separate iBOT head with Sinkhorn-Knopp: {0}")
    @ValueSource(booleans = {false, true})
    void f32StepOnTheGpuMatchesTheReference(boolean separateHead) throws NonFiniteStepException {
        compare(Precision.F32, separateHead, 1e-4, 1e-3);
    }

    @ParameterizedTest(name = "separate iBOT head with Sinkhorn-Knopp: {0}")
    @ValueSource(booleans = {false, true})
    void bf16StepOnTheGpuStaysWithinTheDerivedBound(boolean separateHead) throws NonFiniteStepException {
        compare(Precision.BF16, separateHead, 5e-2, 2e-1);
    }

    private static void compare(Precision precision, boolean separateHead, double lossTolerance,
                                double gradientTolerance) throws NonFiniteStepException {
        SslConfig ssl = TrainTesting.ssl(separateHead ? CenteringMode.SINKHORN_KNOPP : CenteringMode.CENTERING,
                separateHead);
        SslSchedules schedules = new SslSchedules(ssl, TrainTesting.BATCH);
        MultiCropBatch batch = TrainTesting.batch(21);
        try (ReferenceBackend reference = new ReferenceBackend(Precision.F32); HostArena refArena = new HostArena();
             CudaBackend cuda = new CudaBackend(precision); CudaArena cudaArena = cuda.newArena();
             HostArena readback = new HostArena()) {
            LayerContext refContext = new LayerContext(reference, refArena, DType.F32);
            LayerContext cudaContext = new LayerContext(cuda, cudaArena, DType.F32);
            DinoV2Model refModel = TrainTesting.model(refContext, separateHead, 0.2);
            DinoV2Model cudaModel = TrainTesting.model(cudaContext, separateHead, 0.2);
            try (DinoV2Step refStep = TrainTesting.step(refContext, refModel, ssl);
                 DinoV2Step cudaStep = TrainTesting.step(cudaContext, cudaModel, ssl)) {
                double[][] before = TrainTesting.values(refModel.studentParameters());
                assertThat(values(cuda, readback, cudaModel.studentParameters(), false)).as("same initialisation")
                        .isDeepEqualTo(before);
                StepOutcome ref = refStep.run(batch, 0, schedules.at(0), 1.0, new SplittableRandom(100));
                StepOutcome got = cudaStep.run(batch, 0, schedules.at(0), 1.0, new SplittableRandom(100));
                assertThat(ref.maskedPatches()).isPositive();
                assertThat(got.maskedPatches()).isEqualTo(ref.maskedPatches());
                double[] expected = {ref.terms().dinoLocalCropsLoss(), ref.terms().dinoGlobalCropsLoss(),
                        ref.terms().koleoTerm(), ref.terms().ibotLoss()};
                double[] actual = {got.terms().dinoLocalCropsLoss(), got.terms().dinoGlobalCropsLoss(),
                        got.terms().koleoTerm(), got.terms().ibotLoss()};
                for (int i = 0; i < expected.length; i++) {
                    assertThat(actual[i]).as("loss term %d", i)
                            .isCloseTo(expected[i], within(lossTolerance * Math.abs(expected[i])));
                }
                List<Parameter> params = refModel.studentParameters();
                double[][] refGrads = TrainTesting.grads(params);
                double[][] cudaGrads = values(cuda, readback, cudaModel.studentParameters(), true);
                double[][] refAfter = TrainTesting.values(params);
                double[][] cudaAfter = values(cuda, readback, cudaModel.studentParameters(), false);
                double lr = schedules.at(0).lr();
                for (int p = 0; p < params.size(); p++) {
                    double[] g = refGrads[p];
                    double scale = maxAbs(g);
                    for (int i = 0; i < g.length; i++) {
                        assertThat(cudaGrads[p][i]).as("gradient of %s[%d]", params.get(p).name(), i)
                                .isCloseTo(g[i], within(gradientTolerance * scale + 1e-12));
                        if (precision == Precision.F32 && Math.abs(g[i]) > 0.01 * scale) {
                            assertThat(cudaAfter[p][i] - before[p][i]).as("update of %s[%d]", params.get(p).name(), i)
                                    .isCloseTo(refAfter[p][i] - before[p][i], within(1e-3 * lr));
                        }
                    }
                }
                // The teacher moved by (1 - m) times the student update.
                double[][] refTeacher = TrainTesting.values(refModel.teacherParameters());
                double[][] cudaTeacher = values(cuda, readback, cudaModel.teacherParameters(), false);
                for (int p = 0; p < refTeacher.length; p++) {
                    for (int i = 0; i < refTeacher[p].length; i++) {
                        assertThat(cudaTeacher[p][i]).isCloseTo(refTeacher[p][i], within(2 * lr));
                    }
                }
            }
        }
    }

    /** Values (or gradients) of device parameters, copied to the host. */
    private static double[][] values(CudaBackend cuda, HostArena host, List<Parameter> parameters, boolean grads) {
        double[][] out = new double[parameters.size()][];
        for (int i = 0; i < out.length; i++) {
            Tensor source = grads ? parameters.get(i).grad() : parameters.get(i).value();
            Tensor copy = host.allocate(source.dtype(), source.shape());
            cuda.copy(source, copy);
            out[i] = copy.toDoubleArray();
        }
        return out;
    }

    private static double maxAbs(double[] values) {
        double m = 0;
        for (double v : values) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
