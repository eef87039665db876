package org.dinoj.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.reference.ReferenceBackend;
import org.dinoj.model.data.augment.MultiCropBatch;
import org.dinoj.model.nn.LayerContext;
import org.dinoj.model.nn.Parameter;
import org.dinoj.model.ssl.CenteringMode;
import org.dinoj.model.ssl.SslConfig;
import org.dinoj.model.ssl.SslLossTerms;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The whole student side of a DINOv2 step (masked global crops with a register token and
 * stochastic depth, local crops with resized position embeddings, the packed or separate heads, the
 * DINO, iBOT and KoLeo losses and the backward through heads and ViT) against central differences
 * of its total loss, in f64 on the reference backend, for centering and for Sinkhorn-Knopp.
 */
class DinoV2StepGradientTest {
    /**
     * Central-difference step. Truncation is h^2 |f'''| / 6 with third derivatives up to ~1e7 here
     * (logits / 0.1 through sharp softmaxes), so h = 1e-5 leaves ~2e-4 on gradients of ~16; h = 1e-6
     * leaves ~2e-6, and rounding stays near 1e-16 |L| / h ~ 1e-9 for |L| ~ 5.
     */
    private static final double H = 1e-6;
    /**
     * Analytic vs numeric per element: 1e-5 of the largest gradient of the same tensor, plus 1e-9.
     * The analytic side passes loss scales through Backend.linear as floats (~6e-8 relative); the
     * numeric error is ~1e-10 absolute; a missing or wrong term is off by O(1) relative.
     */
    private static final double RELATIVE = 1e-5;
    private static final double ABSOLUTE = 1e-9;
    /** Elements checked per parameter tensor (the first, the last and random ones). */
    private static final int SAMPLES = 4;

    @ParameterizedTest(name = "{0}, separate iBOT head {1}")
    @CsvSource({"CENTERING, false", "SINKHORN_KNOPP, true"})
    void studentGradientsMatchCentralDifferencesOfTheTotalLoss(CenteringMode mode, boolean separateHead) {
        try (ReferenceBackend backend = new ReferenceBackend(Precision.F32); HostArena arena = new HostArena()) {
            LayerContext context = new LayerContext(backend, arena, DType.F64);
            DinoV2Model model = TrainTesting.model(context, separateHead, 0.4);
            wellConditionedHeads(model, backend);
            SslConfig ssl = TrainTesting.ssl(mode, separateHead);
            // Crop 0 and crop 4 masked (3 and 2 patches), crop 5 with 1 patch: weights 1/3, 1/2, 1.
            MultiCropBatch batch = TrainTesting.withMasks(TrainTesting.batch(3), new int[][] {
                    {0, 1, 3}, {}, {}, {}, {2, 3}, {1}});
            try (DinoV2Step step = TrainTesting.step(context, model, ssl)) {
                step.load(batch);
                step.computeTeacherTargets(0.07);
                List<Parameter> params = model.studentParameters();
                SslLossTerms terms = step.studentForwardBackward(new SplittableRandom(5));
                assertThat(terms.dinoLocalCropsLoss()).isPositive();
                assertThat(terms.dinoGlobalCropsLoss()).isPositive();
                assertThat(terms.ibotLoss()).isPositive();
                assertThat(terms.koleoTerm()).isNotZero();
                double[][] analytic = TrainTesting.grads(params);
                int checked = 0;
                for (int i = 0; i < params.size(); i++) {
                    checked += check(step, ssl, params.get(i), analytic[i]);
                }
                assertThat(checked).isGreaterThan(3 * params.size());
            }
        }
    }

    /**
     * At dinov2's init (trunc-normal 0.02) a head of hidden width 10 puts out a bottleneck of norm
     * ~1e-5, and its L2 normalisation makes the loss so steep (gradients ~1e4, third derivatives
     * ~1e15) that central differences measure truncation, not the gradient. Weights of std 0.5 give a
     * bottleneck of norm ~1, where the check is well conditioned; the backward code is the same.
     */
    private static void wellConditionedHeads(DinoV2Model model, ReferenceBackend backend) {
        SplittableRandom rng = new SplittableRandom(17);
        for (Parameter p : model.studentParameters()) {
            if (p.name().contains("head.mlp")) {
                double std = p.name().endsWith(".weight") ? 0.5 : 0.1;
                for (long i = 0; i < p.value().numel(); i++) {
                    p.value().setFlat(i, std * rng.nextGaussian());
                }
            }
        }
        model.copyStudentIntoTeacher(backend);
    }

    private static int check(DinoV2Step step, SslConfig ssl, Parameter p, double[] analytic) {
        Tensor value = p.value();
        int n = (int) value.numel();
        SplittableRandom pick = new SplittableRandom(p.name().hashCode());
        int[] elements = n <= SAMPLES ? java.util.stream.IntStream.range(0, n).toArray()
                : new int[] {0, n - 1, pick.nextInt(n), pick.nextInt(n)};
        double[] numeric = new double[elements.length];
        double scale = 0;
        for (double a : analytic) {
            scale = Math.max(scale, Math.abs(a));
        }
        for (int k = 0; k < elements.length; k++) {
            int e = elements[k];
            double x = value.getFlat(e);
            value.setFlat(e, x + H);
            double up = loss(step, ssl);
            value.setFlat(e, x - H);
            double down = loss(step, ssl);
            value.setFlat(e, x);
            numeric[k] = (up - down) / (2 * H);
            scale = Math.max(scale, Math.abs(numeric[k]));
        }
        for (int k = 0; k < elements.length; k++) {
            assertThat(analytic[elements[k]])
                    .as("d loss / d %s[%d] (numeric %s)", p.name(), elements[k], numeric[k])
                    .isCloseTo(numeric[k], org.assertj.core.data.Offset.offset(ABSOLUTE + RELATIVE * scale));
        }
        return elements.length;
    }

    /** The total loss at the current parameters, with the stochastic-depth subsets of the analytic pass. */
    private static double loss(DinoV2Step step, SslConfig ssl) {
        SslLossTerms terms = step.studentForwardBackward(new SplittableRandom(5));
        return terms.total(ssl.dino().lossWeight(), ssl.ibot().lossWeight());
    }
}
