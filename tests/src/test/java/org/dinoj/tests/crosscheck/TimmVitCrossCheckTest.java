package org.dinoj.tests.crosscheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.reference.ReferenceBackend;
import org.dinoj.model.checkpoint.SafeTensors;
import org.dinoj.model.checkpoint.SafeTensorsFile;
import org.dinoj.model.checkpoint.StateDictLoader;
import org.dinoj.model.checkpoint.TimmDinov2Keys;
import org.dinoj.model.nn.LayerContext;
import org.dinoj.model.nn.ViTConfig;
import org.dinoj.model.nn.ViTOutput;
import org.dinoj.model.nn.VisionTransformer;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * dinoj's VisionTransformer against timm's DINOv2 ViT-S/14 (with and without 4 registers) on the
 * same random weights, loaded by name from timm's state dict through {@link TimmDinov2Keys}: normed
 * CLS, register and patch tokens and the residual stream after each of the 12 blocks.
 *
 * <p>Tolerances. Both sides compute in f32; the reference is also run in f64 on the same weights,
 * which separates dinoj's rounding from timm's: (1) normed outputs (LayerNorm keeps them O(1))
 * within 1e-4 absolute of timm f32, as the issue asks; (2) every quantity, block outputs included,
 * no further from the f64 result than 4x timm's own f32 distance from it (with a floor of 1e-6 of
 * the largest magnitude): dinoj's accumulation order differs, but a wrong term would be off by
 * orders of magnitude more.
 */
@Tag("crosscheck")
class TimmVitCrossCheckTest {
    private static final int IMAGE = 56;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"vit_small_patch14_dinov2, 0", "vit_small_patch14_reg4_dinov2, 4"})
    void forwardMatchesTimmOnTheSameWeights(String model, int registers) throws Exception {
        PythonCrossCheck.run("timm_vit.py", "--model", model, "--img", String.valueOf(IMAGE), "--out", dir.toString());
        try (SafeTensorsFile weights = SafeTensors.read(dir.resolve("weights.safetensors"));
             SafeTensorsFile ref = SafeTensors.read(dir.resolve("reference.safetensors"));
             Backend backend = new ReferenceBackend(Precision.F32);
             HostArena arena = new HostArena()) {
            ViTConfig config = ViTConfig.vitSmall(14, IMAGE).withRegisterTokens(registers).withName(model);
            VisionTransformer vit = new VisionTransformer(new LayerContext(backend, arena, DType.F32), config, 1);
            Map<String, Tensor> timm = new LinkedHashMap<>();
            for (String name : weights.names()) {
                timm.put(name, weights.tensor(name));
            }
            List<String> untouched = StateDictLoader.load(vit.parameters(), TimmDinov2Keys.fromTimm(timm, arena),
                    Set.of(TimmDinov2Keys.MASK_TOKEN));
            assertThat(untouched).containsExactly(TimmDinov2Keys.MASK_TOKEN);

            Tensor source = ref.tensor("images");
            Tensor images = arena.allocate(DType.F32, source.shape());
            backend.copy(source, images);
            ViTOutput out = vit.forward(images, null, null);

            String check = "timm " + model + " forward (" + IMAGE + " px, B=2)";
            checkOutput(check, "normed CLS", out.clsToken(), ref, "cls", true);
            checkOutput(check, "normed patch tokens", out.patchTokens(), ref, "patches", true);
            if (registers > 0) {
                checkOutput(check, "normed register tokens", out.registerTokens(), ref, "registers", true);
            }
            for (int i = 0; i < config.depth(); i++) {
                checkOutput(check, "block " + i + " output (pre-norm)", out.blockOutput(i), ref, "block." + i, false);
            }
        }
    }

    private static void checkOutput(String check, String quantity, Tensor dinoj, SafeTensorsFile ref, String key,
                                    boolean normed) {
        Comparison vsF32 = Comparison.of(check, quantity + " vs timm f32", dinoj, ref.tensor("f32." + key));
        Comparison vsF64 = Comparison.of(check, quantity + " vs timm f64", dinoj, ref.tensor("f64." + key));
        Comparison timmOwn = Comparison.of(check, quantity + ": timm f32 vs timm f64", ref.tensor("f32." + key),
                ref.tensor("f64." + key));
        if (normed) {
            assertThat(vsF32.maxAbsDiff()).as(quantity + " max abs diff vs timm f32").isLessThanOrEqualTo(1e-4);
        }
        assertThat(vsF64.maxAbsDiff()).as(quantity + " distance from the f64 result")
                .isLessThanOrEqualTo(Math.max(4 * timmOwn.maxAbsDiff(), 1e-6 * timmOwn.maxAbsReference()));
    }
}
