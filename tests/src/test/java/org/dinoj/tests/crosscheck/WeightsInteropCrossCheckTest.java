package org.dinoj.tests.crosscheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.reference.ReferenceBackend;
import org.dinoj.model.checkpoint.SafeTensors;
import org.dinoj.model.checkpoint.SafeTensorsFile;
import org.dinoj.model.checkpoint.StateDictLoader;
import org.dinoj.model.nn.LayerContext;
import org.dinoj.model.nn.Parameter;
import org.dinoj.model.nn.ViTConfig;
import org.dinoj.model.nn.ViTOutput;
import org.dinoj.model.nn.VisionTransformer;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.train.config.DinoV2Config;
import org.dinoj.worker.cli.DinojCli;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * Weights interop through the CLI against timm, both directions, with and without registers:
 * <ol>
 *   <li>a dinoj checkpoint (random O(1) weights, imported as dinov2 names) -> {@code dinoj export
 *       --naming timm --backbone-only} -> timm {@code load_state_dict(strict=True)} -> timm's features
 *       on the same images equal dinoj's teacher features of the checkpoint;</li>
 *   <li>timm random weights saved by timm -> {@code dinoj import} -> the teacher of the new
 *       checkpoint gives timm's features.</li>
 * </ol>
 * Tolerance as in {@link TimmVitCrossCheckTest}: normed outputs within 1e-4 absolute of timm f32
 * (LayerNorm keeps them O(1); the measured differences are ~5e-6, f32 rounding of 12 blocks).
 */
@Tag("crosscheck")
class WeightsInteropCrossCheckTest {
    private static final int IMAGE = 56;
    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    private static List<String> overrides(int registers) {
        // Small heads: they are not compared here, and vits14's 65536 prototypes would only cost time.
        return List.of("crops.global_crops_size=" + IMAGE, "crops.local_crops_size=28",
                "student.num_register_tokens=" + registers, "dino.head_n_prototypes=64", "dino.head_hidden_dim=64",
                "dino.head_bottleneck_dim=32", "ibot.head_n_prototypes=64", "ibot.head_hidden_dim=64",
                "ibot.head_bottleneck_dim=32");
    }

    private static void cli(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new DinojCli()).setErr(new PrintWriter(err))
                .setOut(new PrintWriter(new StringWriter()));
        int code = cmd.execute(args);
        assertThat(code).as("dinoj " + String.join(" ", args) + ": " + err).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"vit_small_patch14_dinov2, 0", "vit_small_patch14_reg4_dinov2, 4"})
    void exportedWeightsGiveTheSameFeaturesInTimm(String model, int registers) throws Exception {
        PythonCrossCheck.pythonOrSkip();
        DinoV2Config config = DinoV2Config.load("vits14", overrides(registers));
        Path source = dir.resolve("random.safetensors");
        Path images = dir.resolve("images.safetensors");
        try (Backend backend = new ReferenceBackend(Precision.F32); HostArena arena = new HostArena()) {
            VisionTransformer vit = new VisionTransformer(new LayerContext(backend, arena, DType.F32), config.vit(), 3);
            Map<String, Tensor> state = new LinkedHashMap<>();
            SplittableRandom rng = new SplittableRandom(17);
            for (Parameter p : vit.parameters()) {
                randomize(p, rng);
                state.put(p.name(), p.value());
            }
            SafeTensors.write(source, state, Map.of());
            Tensor pixels = arena.allocate(DType.F32, 2, 3, IMAGE, IMAGE);
            for (long i = 0; i < pixels.numel(); i++) {
                pixels.setFlat(i, rng.nextGaussian());
            }
            SafeTensors.write(images, Map.of("images", pixels), Map.of());
        }
        Path checkpoint = dir.resolve("checkpoint");
        Path exported = dir.resolve("timm.safetensors");
        String[] sets = overrides(registers).stream().flatMap(s -> java.util.stream.Stream.of("--set", s))
                .toArray(String[]::new);
        cli(concat(new String[] {"import", "--in", source.toString(), "--out", checkpoint.toString(), "--config",
                "vits14"}, sets));
        cli("export", "--checkpoint", checkpoint.toString(), "--out", exported.toString(), "--naming", "timm",
                "--backbone-only", "--teacher");
        PythonCrossCheck.run("timm_load.py", "--model", model, "--img", String.valueOf(IMAGE), "--weights",
                exported.toString(), "--images", images.toString(), "--out", dir.toString());
        try (SafeTensorsFile ref = SafeTensors.read(dir.resolve("features.safetensors"));
             SafeTensorsFile pixels = SafeTensors.read(images)) {
            compare("dinoj export -> timm " + model + " load (strict)", config.vit(), checkpoint, pixels.tensor("images"),
                    ref, registers);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"vit_small_patch14_dinov2, 0", "vit_small_patch14_reg4_dinov2, 4"})
    void importedTimmWeightsGiveTimmsFeatures(String model, int registers) throws Exception {
        PythonCrossCheck.run("timm_vit.py", "--model", model, "--img", String.valueOf(IMAGE), "--out", dir.toString());
        Path checkpoint = dir.resolve("checkpoint");
        String[] sets = overrides(registers).stream().flatMap(s -> java.util.stream.Stream.of("--set", s))
                .toArray(String[]::new);
        cli(concat(new String[] {"import", "--in", dir.resolve("weights.safetensors").toString(), "--out",
                checkpoint.toString(), "--config", "vits14"}, sets));
        DinoV2Config config = DinoV2Config.load("vits14", overrides(registers));
        try (SafeTensorsFile ref = SafeTensors.read(dir.resolve("reference.safetensors"))) {
            compare("timm " + model + " -> dinoj import", config.vit(), checkpoint, ref.tensor("images"), ref, registers);
        }
    }

    /** dinoj's teacher backbone of {@code checkpoint} on {@code source} images vs timm's normed tokens. */
    private static void compare(String check, ViTConfig vitConfig, Path checkpoint, Tensor source, SafeTensorsFile ref,
                                int registers) throws Exception {
        try (SafeTensorsFile model = SafeTensors.read(checkpoint.resolve("model.safetensors"));
             Backend backend = new ReferenceBackend(Precision.F32);
             HostArena arena = new HostArena()) {
            VisionTransformer vit = new VisionTransformer(new LayerContext(backend, arena, DType.F32), vitConfig, 1);
            Map<String, Tensor> teacher = new LinkedHashMap<>();
            String prefix = "teacher.backbone.";
            for (String name : model.names()) {
                if (name.startsWith(prefix)) {
                    teacher.put(name.substring(prefix.length()), model.tensor(name));
                }
            }
            StateDictLoader.load(vit.parameters(), teacher, Set.of());
            Tensor images = arena.allocate(DType.F32, source.shape());
            backend.copy(source, images);
            ViTOutput out = vit.forwardInference(images, null);
            check(check, "normed CLS", out.clsToken(), ref, "cls");
            check(check, "normed patch tokens", out.patchTokens(), ref, "patches");
            if (registers > 0) {
                check(check, "normed register tokens", out.registerTokens(), ref, "registers");
            }
        }
    }

    private static void check(String check, String quantity, Tensor dinoj, SafeTensorsFile ref, String key) {
        Comparison vsF32 = Comparison.of(check, quantity + " vs timm f32", dinoj, ref.tensor("f32." + key));
        Comparison.of(check, quantity + " vs timm f64", dinoj, ref.tensor("f64." + key));
        assertThat(vsF32.maxAbsDiff()).as(check + ": " + quantity).isLessThanOrEqualTo(TOLERANCE);
    }

    /** As tests/crosscheck/common.py's randomize_: every term O(1) so that a wrong mapping shows. */
    private static void randomize(Parameter p, SplittableRandom rng) {
        String name = p.name();
        Tensor t = p.value();
        long fanIn = t.rank() >= 2 ? t.numel() / t.size(0) : t.numel();
        for (long i = 0; i < t.numel(); i++) {
            double n = rng.nextGaussian();
            double v;
            if (name.endsWith("gamma")) {
                v = 0.5 + rng.nextDouble();
            } else if (name.contains("norm") && name.endsWith("weight")) {
                v = 1 + 0.1 * n;
            } else if (name.endsWith("bias") || name.contains("norm")) {
                v = 0.1 * n;
            } else if (name.contains("token") || name.contains("pos_embed")) {
                v = 0.2 * n;
            } else {
                v = n / Math.sqrt(fanIn);
            }
            t.setFlat(i, v);
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
