package org.dinoj.tests.crosscheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.reference.ReferenceBackend;
import org.dinoj.model.checkpoint.SafeTensors;
import org.dinoj.model.checkpoint.SafeTensorsFile;
import org.dinoj.model.checkpoint.StateDictLoader;
import org.dinoj.model.data.augment.MultiCropBatch;
import org.dinoj.model.nn.LayerContext;
import org.dinoj.model.nn.Parameter;
import org.dinoj.model.nn.ViTConfig;
import org.dinoj.model.ssl.SslConfig;
import org.dinoj.model.ssl.SslLossTerms;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.train.DinoV2Model;
import org.dinoj.model.train.DinoV2Step;
import org.dinoj.model.train.config.DinoV2Config;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One DINOv2 step of a small ViT (2 blocks, D 32, a register token, patch 4, 16 px global and 8 px
 * local crops, so the local crops go through the position interpolation) with DINO, iBOT and KoLeo
 * against PyTorch autograd ({@code tests/crosscheck/dinov2_step.py}, a transcription of dinov2) on
 * the same random weights, crops and masks: the loss terms and the gradient of every student
 * parameter, through dinoj's own {@link DinoV2Step} (teacher targets, student forward and backward),
 * for centering with a shared head and Sinkhorn-Knopp with a separate iBOT head.
 *
 * <p>Tolerances, per tensor as max |diff| / max |reference|:
 * <ul>
 *   <li>dinoj f64 vs torch f64: 1e-6. Both are exact up to f64 rounding except that dinoj passes the
 *       temperatures' reciprocals (1/0.1, 1/0.07) and loss scales to {@code Backend.linear} as floats,
 *       a ~1e-8 relative change of the logits that the sharp softmaxes amplify a few times;</li>
 *   <li>dinoj f32 vs torch f64: 1e-5 and no worse than 20x torch f32's own distance from f64 (with a
 *       1e-5 floor). f32 rounding (6e-8) of logits divided by 0.07-0.1 moves the targets and
 *       log-softmaxes by ~1e-6 relative, and the gradients are sums of many such terms that partly
 *       cancel (measured: at most 5e-7 for dinoj, 1.5e-6 for torch f32); a wrong term (pairing,
 *       weight, missing path) is off by O(1).</li>
 * </ul>
 */
@Tag("crosscheck")
class StepGradientCrossCheckTest {
    private static final double TEACHER_TEMP = 0.07;
    private static final double F64_TOLERANCE = 1e-6;
    private static final double F32_TOLERANCE = 1e-5;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}, separate iBOT head {1}")
    @CsvSource({"centering, false", "sinkhorn_knopp, true"})
    void studentGradientsMatchPyTorchAutograd(String centering, boolean separateHead) throws Exception {
        PythonCrossCheck.pythonOrSkip();
        DinoV2Config config = DinoV2Config.load("tiny-test", List.of("student.drop_path_rate=0",
                "student.num_register_tokens=1", "train.centering=" + centering, "ibot.separate_head=" + separateHead,
                "dino.head_n_prototypes=24", "ibot.head_n_prototypes=20"));
        ViTConfig vit = config.vit();
        int batch = config.train().batchSizePerGpu();
        int locals = config.crops().localCropsNumber();
        int global = config.crops().globalCropsSize();
        int local = config.crops().localCropsSize();
        SslConfig ssl = config.ssl();
        List<String> args = new ArrayList<>(List.of(
                "--dim", str(vit.embedDim()), "--depth", str(vit.depth()), "--heads", str(vit.heads()),
                "--patch", str(vit.patchSize()), "--chans", str(vit.inChannels()), "--registers", str(vit.registerTokens()),
                "--mlp-ratio", str(vit.mlpRatio()), "--interpolate-offset", str(vit.interpolateOffset()),
                "--global-size", str(global), "--local-size", str(local), "--local-crops", str(locals),
                "--batch", str(batch), "--dino-k", str(config.dinoHead().prototypes()),
                "--ibot-k", str(config.ibotHead().prototypes()), "--head-layers", str(config.dinoHead().layers()),
                "--head-hidden", str(config.dinoHead().hiddenDim()),
                "--head-bottleneck", str(config.dinoHead().bottleneckDim()), "--seed", "3",
                "--teacher-temp", str(TEACHER_TEMP), "--dino-weight", str(ssl.dino().lossWeight()),
                "--ibot-weight", str(ssl.ibot().lossWeight()), "--koleo-weight", str(ssl.dino().koleoLossWeight()),
                "--centering", centering, "--separate-head", separateHead ? "1" : "0", "--out", dir.toString()));
        PythonCrossCheck.run("dinov2_step.py", args.toArray(String[]::new));

        String check = String.format(Locale.ROOT, "DINOv2 step gradients, %s, %s iBOT head (2 blocks, D %d, B %d, %d locals)",
                centering, separateHead ? "separate" : "shared", vit.embedDim(), batch, locals);
        try (SafeTensorsFile weights = SafeTensors.read(dir.resolve("weights.safetensors"));
             SafeTensorsFile batchFile = SafeTensors.read(dir.resolve("batch.safetensors"));
             SafeTensorsFile ref = SafeTensors.read(dir.resolve("reference.safetensors"))) {
            MultiCropBatch crops = batch(batchFile, batch, vit.inChannels(), global, local, locals,
                    (global / vit.patchSize()) * (global / vit.patchSize()));
            for (DType dtype : List.of(DType.F64, DType.F32)) {
                try (ReferenceBackend backend = new ReferenceBackend(Precision.F32); HostArena arena = new HostArena()) {
                    LayerContext context = new LayerContext(backend, arena, dtype);
                    DinoV2Model model = new DinoV2Model(context, vit, config.dinoHead(),
                            separateHead ? config.ibotHead() : null, config.train().seed());
                    Map<String, Tensor> state = new LinkedHashMap<>();
                    for (String name : weights.names()) {
                        state.put(name, weights.tensor(name));
                    }
                    StateDictLoader.load(model.studentParameters(), state, Set.of());
                    model.copyStudentIntoTeacher(backend);
                    try (DinoV2Step step = new DinoV2Step(context, model, ssl, batch, vit.inChannels(), global, local,
                            locals, 2 * batch * crops.patchesPerCrop())) {
                        step.load(crops);
                        step.computeTeacherTargets(TEACHER_TEMP);
                        SslLossTerms terms = step.studentForwardBackward(new SplittableRandom(1));
                        compare(check + ", dinoj " + dtype, terms, model.studentParameters(), ref, dtype, ssl);
                    }
                }
            }
        }
    }

    private static void compare(String check, SslLossTerms terms, List<Parameter> params, SafeTensorsFile ref,
                                DType dtype, SslConfig ssl) {
        Map<String, Double> losses = Map.of("dino_local", terms.dinoLocalCropsLoss(), "dino_global",
                terms.dinoGlobalCropsLoss(), "koleo_term", terms.koleoTerm(), "ibot", terms.ibotLoss(), "total",
                terms.total(ssl.dino().lossWeight(), ssl.ibot().lossWeight()));
        for (String term : List.of("dino_local", "dino_global", "koleo_term", "ibot", "total")) {
            double expected = ref.tensor("f64.loss." + term).getFlat(0);
            Comparison c = Comparison.ofScalar(check, "loss " + term + " vs torch f64", losses.get(term), expected);
            assertThat(c.relative()).as(check + " loss " + term).isLessThanOrEqualTo(
                    dtype == DType.F64 ? F64_TOLERANCE : F32_TOLERANCE);
        }
        double worstF64 = 0;
        String worstName = "";
        for (Parameter p : params) {
            Tensor f64 = ref.tensor("f64.grad." + p.name());
            Tensor f32 = ref.tensor("f32.grad." + p.name());
            Comparison vsF64 = Comparison.of(check, "d total / d " + p.name() + " vs torch f64", p.grad(), f64);
            if (dtype == DType.F64) {
                assertThat(vsF64.relative()).as(check + ": " + p.name()).isLessThanOrEqualTo(F64_TOLERANCE);
            } else {
                Comparison torchOwn = Comparison.of(check, "d total / d " + p.name() + ": torch f32 vs torch f64", f32, f64);
                assertThat(vsF64.relative()).as(check + ": " + p.name()).isLessThanOrEqualTo(F32_TOLERANCE)
                        .isLessThanOrEqualTo(Math.max(20 * torchOwn.relative(), 1e-5));
            }
            if (vsF64.relative() > worstF64) {
                worstF64 = vsF64.relative();
                worstName = p.name();
            }
        }
        Comparison.ofScalar(check, "worst parameter gradient (" + worstName + ") relative error vs torch f64", worstF64, 0);
    }

    /** The crops and masks Python drew, as dinoj's collator would hand them over. */
    private static MultiCropBatch batch(SafeTensorsFile file, int b, int channels, int global, int local, int locals,
                                        int patches) {
        float[] globalCrops = file.tensor("global_crops").toFloatArray();
        float[] localCrops = file.tensor("local_crops").toFloatArray();
        float[] maskValues = file.tensor("masks").toFloatArray();
        float[] weights = file.tensor("mask_weights").toFloatArray();
        boolean[] masks = new boolean[maskValues.length];
        List<Integer> indices = new ArrayList<>();
        int[] targets = new int[2 * b];
        for (int i = 0; i < masks.length; i++) {
            masks[i] = maskValues[i] != 0;
            if (masks[i]) {
                indices.add(i);
                targets[i / patches]++;
            }
        }
        int[] idx = indices.stream().mapToInt(Integer::intValue).toArray();
        assertThat(weights).hasSize(idx.length);
        return new MultiCropBatch(b, channels, global, local, locals, globalCrops, localCrops, patches, masks, idx,
                weights, targets, idx.length);
    }

    private static String str(Object v) {
        return String.valueOf(v);
    }
}
