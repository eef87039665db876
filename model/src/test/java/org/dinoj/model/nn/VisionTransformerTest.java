package org.dinoj.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dinoj.model.nn.NnTesting.assertGradient;
import static org.dinoj.model.nn.NnTesting.dot;
import static org.dinoj.model.nn.NnTesting.random;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.assertj.core.data.Offset;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.Test;

class VisionTransformerTest {
    /** D 8, 2 blocks, 2 heads, patch 2, 4 px training size (2x2 grid), 2 channels, 1 register. */
    private static ViTConfig tiny() {
        return ViTConfig.custom("test", 4, 2, 8, 2, 2).withInChannels(2).withRegisterTokens(1)
                .withLayerScaleInit(0.5f);
    }

    private static VisionTransformer build(LayerContext context, ViTConfig config) {
        VisionTransformer vit = new VisionTransformer(context, config, 7);
        // mask_token starts at 0 and cls/registers at ~1e-6: make every gradient clearly visible
        long seed = 100;
        for (Parameter p : vit.parameters()) {
            if (p.name().endsWith("_token") || p.name().equals("register_tokens")) {
                NnTesting.fillRandom(p.value(), seed++, 0.5);
            }
        }
        return vit;
    }

    @Test
    void parameterKeysAndShapesFollowTheDinov2StateDict() {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            VisionTransformer vit = new VisionTransformer(NnTesting.f64(backend, arena), tiny(), 1);
            assertThat(vit.parameters()).extracting(Parameter::name).startsWith(
                    "cls_token", "pos_embed", "register_tokens", "mask_token", "patch_embed.proj.weight",
                    "patch_embed.proj.bias", "blocks.0.norm1.weight").endsWith("blocks.1.ls2.gamma", "norm.weight",
                    "norm.bias");
            assertThat(Parameters.named(vit.parameters(), "pos_embed").value().shape()).containsExactly(1, 5, 8);
            assertThat(Parameters.named(vit.parameters(), "cls_token").value().shape()).containsExactly(1, 1, 8);
            assertThat(Parameters.named(vit.parameters(), "register_tokens").value().shape()).containsExactly(1, 1, 8);
            assertThat(Parameters.named(vit.parameters(), "mask_token").value().shape()).containsExactly(1, 8);
            assertThat(Parameters.named(vit.parameters(), "patch_embed.proj.weight").value().shape())
                    .containsExactly(8, 2, 2, 2);
            assertThat(Parameters.named(vit.parameters(), "blocks.1.attn.qkv.weight").value().shape())
                    .containsExactly(24, 8);
        }
    }

    @Test
    void backwardWithMasksAndRegistersMatchesFiniteDifferences() {
        double[] mask = {1, 0, 0, 1, 0, 1, 0, 0};
        checkAllGradients(tiny(), 2, 4, mask, false);
    }

    @Test
    void backwardThroughPositionInterpolationMatchesFiniteDifferences() {
        // 6 px images on a 4 px model: 3x3 grid resized from the 2x2 pos_embed grid
        checkAllGradients(tiny(), 2, 6, null, false);
    }

    @Test
    void backwardWithStochasticDepthMatchesFiniteDifferences() {
        // rate 0.5 on 4 samples: 2 per branch, subsets redrawn from the same seed for each evaluation
        checkAllGradients(tiny().withRegisterTokens(0).withDropPathRate(0.5), 4, 4, null, true);
    }

    private static void checkAllGradients(ViTConfig config, int batch, int size, double[] maskValues,
                                          boolean dropPath) {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            LayerContext context = NnTesting.f64(backend, arena);
            VisionTransformer vit = build(context, config);
            int patches = (size / 2) * (size / 2);
            int registers = config.registerTokens();
            Tensor images = random(arena, 1, 1, batch, 2, size, size);
            Tensor masks = maskValues == null ? null
                    : arena.allocate(DType.F64, batch, patches).copyFrom(maskValues);
            Tensor wCls = random(arena, 2, 1, batch, 8);
            Tensor wReg = registers > 0 ? random(arena, 3, 1, batch, registers, 8) : null;
            Tensor wPatch = random(arena, 4, 1, batch, patches, 8);
            DoubleSupplier loss = () -> {
                ViTOutput out = vit.forward(images, masks, dropPath ? new SplittableRandom(9) : null);
                return dot(out.clsToken(), wCls) + (wReg == null ? 0 : dot(out.registerTokens(), wReg))
                        + dot(out.patchTokens(), wPatch);
            };
            vit.zeroGrad();
            ViTOutput out = vit.forward(images, masks, dropPath ? new SplittableRandom(9) : null);
            vit.backward(out, wCls, wReg, wPatch);
            for (Parameter p : vit.parameters()) {
                if (p.name().equals("mask_token") && masks == null) {
                    assertThat(p.grad().toDoubleArray()).containsOnly(0.0);
                    continue;
                }
                assertGradient(p.name(), p.value(), p.grad(), loss);
            }
        }
    }

    @Test
    void fullyMaskedImagesGiveNoGradientToThePatchEmbedding() {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            VisionTransformer vit = build(NnTesting.f64(backend, arena), tiny());
            Tensor images = random(arena, 1, 1, 2, 2, 4, 4);
            Tensor masks = arena.allocate(DType.F64, 2, 4);
            backend.fill(masks, 1f);
            ViTOutput out = vit.forward(images, masks, null);
            vit.backward(out, random(arena, 2, 1, 2, 8), null, random(arena, 3, 1, 2, 4, 8));
            assertThat(Parameters.named(vit.parameters(), "patch_embed.proj.weight").grad().toDoubleArray())
                    .containsOnly(0.0);
            assertThat(Parameters.named(vit.parameters(), "patch_embed.proj.bias").grad().toDoubleArray())
                    .containsOnly(0.0);
            assertThat(java.util.Arrays.stream(Parameters.named(vit.parameters(), "mask_token").grad()
                    .toDoubleArray()).anyMatch(v -> v != 0.0)).isTrue();
        }
    }

    @Test
    void inferenceEqualsTrainingWithoutDropPathAndGivesAttentionMaps() {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            VisionTransformer vit = build(NnTesting.f64(backend, arena), tiny());
            Tensor images = random(arena, 1, 1, 2, 2, 4, 4);
            double[] training = vit.forward(images, null, null).tokens().toDoubleArray();
            ViTOutput inference = vit.forwardInference(images, null);
            // identical operations on identical inputs, only the buffers differ
            assertThat(inference.tokens().toDoubleArray()).containsExactly(training);
            assertThat(inference.clsToken().shape()).containsExactly(2, 8);
            assertThat(inference.patchTokens().shape()).containsExactly(2, 4, 8);
            Tensor attention = inference.lastBlockAttention();
            assertThat(attention.shape()).containsExactly(2, 2, 6, 6);
            for (int row = 0; row < 2 * 2 * 6; row++) {
                double sum = 0;
                for (int j = 0; j < 6; j++) {
                    sum += attention.getFlat(row * 6L + j);
                }
                assertThat(sum).isCloseTo(1.0, Offset.offset(1e-12));
            }
            assertThatThrownBy(() -> vit.backward(inference, null, null, null))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("training pass");
        }
    }

    @Test
    void backwardRefusesAnOutputOverwrittenByAnotherPassOfTheSameShape() {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            VisionTransformer vit = build(NnTesting.f64(backend, arena), tiny());
            Tensor images = random(arena, 1, 1, 2, 2, 4, 4);
            ViTOutput first = vit.forward(images, null, null);
            vit.forward(images, null, null);
            assertThatThrownBy(() -> vit.backward(first, null, null, null))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("overwrote");
        }
    }

    @Test
    void gradientsOfTwoCropShapesAccumulate() {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            VisionTransformer vit = build(NnTesting.f64(backend, arena), tiny());
            Tensor global = random(arena, 1, 1, 2, 2, 4, 4);
            Tensor local = random(arena, 2, 1, 3, 2, 2, 2);
            Tensor wGlobal = random(arena, 3, 1, 2, 8);
            Tensor wLocal = random(arena, 4, 1, 3, 8);
            Parameter qkv = Parameters.named(vit.parameters(), "blocks.0.attn.qkv.weight");

            vit.zeroGrad();
            vit.backward(vit.forward(global, null, null), wGlobal, null, null);
            double[] globalOnly = qkv.grad().toDoubleArray();
            vit.zeroGrad();
            vit.backward(vit.forward(local, null, null), wLocal, null, null);
            double[] localOnly = qkv.grad().toDoubleArray();

            vit.zeroGrad();
            ViTOutput g = vit.forward(global, null, null);
            ViTOutput l = vit.forward(local, null, null);
            vit.backward(l, wLocal, null, null);
            vit.backward(g, wGlobal, null, null);
            double[] both = qkv.grad().toDoubleArray();
            for (int i = 0; i < both.length; i++) {
                assertThat(both[i]).isCloseTo(globalOnly[i] + localOnly[i], Offset.offset(1e-12));
            }
        }
    }

    @Test
    void initialisationFollowsDinov2() {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            ViTConfig config = ViTConfig.named("vit_tiny_p4");
            VisionTransformer vit = new VisionTransformer(new LayerContext(backend, arena, DType.F32), config, 3);
            assertThat(config.embedDim()).isEqualTo(192);
            // sample std of ~110k (qkv) or ~12k (pos_embed) draws: within 3% of 0.02
            assertThat(std(Parameters.named(vit.parameters(), "blocks.0.attn.qkv.weight").value()))
                    .isCloseTo(0.02, Offset.offset(0.0006));
            assertThat(std(Parameters.named(vit.parameters(), "pos_embed").value()))
                    .isCloseTo(0.02, Offset.offset(0.0006));
            assertThat(std(Parameters.named(vit.parameters(), "cls_token").value()))
                    .isGreaterThan(0).isLessThan(3e-6);
            assertThat(Parameters.named(vit.parameters(), "mask_token").value().toDoubleArray()).containsOnly(0.0);
            assertThat(Parameters.named(vit.parameters(), "blocks.0.attn.qkv.bias").value().toDoubleArray())
                    .containsOnly(0.0);
            assertThat(Parameters.named(vit.parameters(), "blocks.3.ls1.gamma").value().toDoubleArray())
                    .containsOnly((double) 1e-5f);
            assertThat(Parameters.named(vit.parameters(), "norm.weight").value().toDoubleArray()).containsOnly(1.0);
            // kaiming_uniform(a=sqrt 5) on a conv with fan-in 3*4*4 = 48: U(-1/sqrt 48, 1/sqrt 48)
            Tensor patch = Parameters.named(vit.parameters(), "patch_embed.proj.weight").value();
            double bound = 1 / Math.sqrt(48);
            assertThat(patch.shape()).containsExactly(192, 3, 4, 4);
            assertThat(java.util.Arrays.stream(patch.toDoubleArray()).allMatch(v -> Math.abs(v) <= bound)).isTrue();
            assertThat(std(patch)).isCloseTo(bound / Math.sqrt(3), Offset.offset(0.03 * bound));
        }
    }

    @Test
    void variantsHaveTheDinov2Sizes() {
        assertThat(ViTConfig.named("vit_small")).extracting(ViTConfig::embedDim, ViTConfig::depth, ViTConfig::heads,
                ViTConfig::mlpHidden, ViTConfig::patchSize).containsExactly(384, 12, 6, 1536, 14);
        assertThat(ViTConfig.named("vit_base")).extracting(ViTConfig::embedDim, ViTConfig::depth, ViTConfig::heads)
                .containsExactly(768, 12, 12);
        assertThat(ViTConfig.named("vit_large")).extracting(ViTConfig::embedDim, ViTConfig::depth, ViTConfig::heads)
                .containsExactly(1024, 24, 16);
        ViTConfig giant = ViTConfig.named("vit_giant2");
        assertThat(giant).extracting(ViTConfig::embedDim, ViTConfig::depth, ViTConfig::heads, ViTConfig::ffn)
                .containsExactly(1536, 40, 24, ViTConfig.FfnKind.SWIGLU_FUSED);
        assertThat(SwiGluFfn.roundedHidden(giant.mlpHidden())).isEqualTo(4096);
        assertThat(ViTConfig.named("vit_small_p4")).extracting(ViTConfig::embedDim, ViTConfig::heads,
                ViTConfig::patchSize, ViTConfig::gridSize).containsExactly(384, 6, 4, 8);
        assertThat(ViTConfig.named("vit_tiny_p4").withImageSize(28).gridSize()).isEqualTo(7);
    }

    @Test
    void swigluVariantBackwardMatchesFiniteDifferences() {
        checkAllGradients(tiny().withFfn(ViTConfig.FfnKind.SWIGLU_FUSED).withRegisterTokens(0), 2, 4, null, false);
    }

    private static double std(Tensor t) {
        double[] v = t.toDoubleArray();
        double mean = 0;
        for (double x : v) {
            mean += x;
        }
        mean /= v.length;
        double var = 0;
        for (double x : v) {
            var += (x - mean) * (x - mean);
        }
        return Math.sqrt(var / v.length);
    }
}
