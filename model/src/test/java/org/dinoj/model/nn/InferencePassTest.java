package org.dinoj.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.dnnl.DnnlBackend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The inference pass (fused fc1+GELU, fused LayerScale+residual, in place on the residual stream:
 * the evaluation and teacher fast path) against the training pass of the same weights, which runs
 * every op separately, on the dnnl backend with the fashion-mnist preset's ViT-Ti/4 at 28 px.
 */
class InferencePassTest {

    @Test
    void f32InferenceMatchesTheUnfusedTrainingPass() {
        // f32 math: the paths differ only by fma-vs-multiply-add rounding (1 ulp per op) carried
        // through 12 blocks and the final LayerNorm on O(1) outputs; 1e-4 is ~100x that.
        double worst = largestDifference(Precision.F32);
        assertThat(worst).isLessThan(1e-4);
    }

    @Test
    void bf16InferenceMatchesTheUnfusedTrainingPass() {
        // bf16 matmul inputs (8-bit mantissa): a last-bit difference in the f32 residual stream
        // can flip a bf16 rounding (relative 2^-8 = 0.004 on one input), which the following
        // blocks carry; 0.05 absolute on the O(1) LayerNorm outputs bounds that, far below the
        // O(1) size of a real bug (a dropped branch or a wrong gamma).
        double worst = largestDifference(Precision.BF16);
        assertThat(worst).isLessThan(0.05);
    }

    /** Largest |inference - training| over CLS and patch tokens of 6 random images. */
    private static double largestDifference(Precision precision) {
        try (DnnlBackend backend = new DnnlBackend(precision); HostArena arena = new HostArena()) {
            ViTConfig config = ViTConfig.named("vit_tiny_p4").withImageSize(28).withInChannels(1)
                    .withDropPathRate(0).withLayerScaleInit(1e-5f);
            VisionTransformer vit = new VisionTransformer(new LayerContext(backend, arena, DType.F32), config, 5);
            long seed = 100;
            for (Parameter p : vit.parameters()) {
                if (p.name().endsWith(".gamma")) {
                    // trained-like LayerScale so the branches matter (at the 1e-5 init they would not)
                    NnTesting.fillRandom(p.value(), seed++, 0.3);
                }
            }
            Tensor images = arena.allocate(DType.F32, 6, 1, 28, 28);
            NnTesting.fillRandom(images, 1, 1.0);

            double[] trainingTokens = vit.forward(images, null, null).tokens().toDoubleArray();
            double[] inferenceTokens = vit.forwardInference(images, null).tokens().toDoubleArray();
            assertThat(inferenceTokens).hasSameSizeAs(trainingTokens);
            double worst = 0;
            double scale = 0;
            for (int i = 0; i < trainingTokens.length; i++) {
                worst = Math.max(worst, Math.abs(inferenceTokens[i] - trainingTokens[i]));
                scale = Math.max(scale, Math.abs(trainingTokens[i]));
            }
            assertThat(scale).as("output magnitude").isGreaterThan(0.5);
            return worst;
        }
    }
}
