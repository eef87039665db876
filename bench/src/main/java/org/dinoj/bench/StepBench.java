package org.dinoj.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.cuda.CudaBackend;
import org.dinoj.model.backend.dnnl.CpuIsa;
import org.dinoj.model.backend.dnnl.DnnlBackend;
import org.dinoj.model.data.augment.Interval;
import org.dinoj.model.data.augment.MaskingConfig;
import org.dinoj.model.data.augment.MultiCropBatch;
import org.dinoj.model.data.augment.MultiCropCollator;
import org.dinoj.model.data.augment.MultiCropSample;
import org.dinoj.model.nn.DinoHead;
import org.dinoj.model.nn.DinoHeadConfig;
import org.dinoj.model.nn.LayerContext;
import org.dinoj.model.nn.Parameter;
import org.dinoj.model.nn.Parameters;
import org.dinoj.model.nn.ViTConfig;
import org.dinoj.model.nn.ViTOutput;
import org.dinoj.model.nn.VisionTransformer;
import org.dinoj.model.ssl.AdamW;
import org.dinoj.model.ssl.CenteringMode;
import org.dinoj.model.ssl.DinoConfig;
import org.dinoj.model.ssl.IbotConfig;
import org.dinoj.model.ssl.IbotPatchLoss;
import org.dinoj.model.ssl.NonFiniteStepException;
import org.dinoj.model.ssl.OptimConfig;
import org.dinoj.model.ssl.ParameterGroups.GroupedParameter;
import org.dinoj.model.ssl.SslConfig;
import org.dinoj.model.ssl.SslSchedules;
import org.dinoj.model.ssl.TeacherConfig;
import org.dinoj.model.ssl.TrainConfig;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;
import org.dinoj.model.train.DinoV2Model;
import org.dinoj.model.train.DinoV2Step;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dinoj bench step}: training throughput on the configurations of the PyTorch scripts in
 * bench/ (same model, loss, crops, prototypes and batch), median of the timed steps after warm-up.
 *
 * <ul>
 *   <li>{@code --mode vit} ({@code pytorch_vit_bench.py}: tiny-28, small-32, small-224): a pre-norm
 *       ViT without LayerScale and a DINO head on the CLS token, cross-entropy against fixed
 *       teacher probabilities softmax(N(0,1) / 0.04) at student temperature 0.1, backward, AdamW.
 *       GFLOP/s counts the script's analytic matmul FLOPs, training = 3 x forward.</li>
 *   <li>{@code --mode dinov2} ({@code pytorch_dinov2_step_bench.py}: fmnist-tiny, small-32,
 *       vits14-224): the whole {@link DinoV2Step} with Sinkhorn-Knopp, a shared head (2048/256),
 *       LayerScale 1e-5, no stochastic depth; batches of random crops with dinov2 block masks drawn
 *       outside the timed region. FLOPs as the script: 3 x student forward + teacher forward.</li>
 * </ul>
 * Without {@code --mode}, tiny-28 and small-224 are vit and the others dinov2.
 */
@Command(name = "step",
        mixinStandardHelpOptions = true,
        description = "Training-step throughput (images/s, GFLOP/s) on the configurations of the PyTorch scripts.")
public final class StepBench implements Callable<Integer> {
    private static final int HEAD_HIDDEN = 2048;
    private static final int HEAD_BOTTLENECK = 256;

    /** pytorch_vit_bench.py's CONFIGS. */
    record VitCase(String name, int image, int channels, int patch, int dim, int depth, int heads, int prototypes,
                   int batch) {
    }

    /** pytorch_dinov2_step_bench.py's CONFIGS. */
    record DinoCase(String name, int dim, int depth, int heads, int patch, int channels, int globalSize, int localSize,
                    int locals, int prototypes, int batch) {
    }

    static final List<VitCase> VIT = List.of(
            new VitCase("tiny-28", 28, 1, 4, 192, 12, 3, 4096, 64),
            new VitCase("small-32", 32, 3, 4, 384, 12, 6, 16384, 64),
            new VitCase("small-224", 224, 3, 16, 384, 12, 6, 65536, 16));
    static final List<DinoCase> DINO = List.of(
            new DinoCase("fmnist-tiny", 192, 12, 3, 4, 1, 28, 12, 6, 4096, 64),
            new DinoCase("small-32", 384, 12, 6, 4, 3, 32, 16, 8, 16384, 64),
            new DinoCase("vits14-224", 384, 12, 6, 14, 3, 224, 98, 8, 65536, 8));

    @Spec
    private CommandSpec spec;

    @Option(names = "--config", required = true, description = "tiny-28, small-32, small-224 (vit); fmnist-tiny, small-32, vits14-224 (dinov2).")
    private String config;

    @Option(names = "--mode", description = "vit (single view) or dinov2 (full step); default by config name.")
    private String mode;

    @Option(names = "--precision", defaultValue = "f32", description = "f32 or bf16 (default ${DEFAULT-VALUE}).")
    private String precision;

    @Option(names = "--backend", defaultValue = "dnnl", description = "dnnl or cuda (default ${DEFAULT-VALUE}).")
    private String backendName;

    @Option(names = "--steps", defaultValue = "10", description = "Timed steps; the median is reported (default ${DEFAULT-VALUE}, at least 10).")
    private int steps;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps first (default ${DEFAULT-VALUE}).")
    private int warmup;

    @Option(names = "--batch", defaultValue = "0", description = "Batch size instead of the config's.")
    private int batchOverride;

    @Option(names = "--json", description = "One JSON object per line.")
    private boolean json;

    @Override
    public Integer call() throws NonFiniteStepException {
        if (steps < 10 || warmup < 0) {
            throw new IllegalArgumentException("--steps must be at least 10 and --warmup at least 0, got " + steps + " and "
                    + warmup);
        }
        Precision p = switch (precision.toLowerCase(Locale.ROOT)) {
            case "f32", "fp32" -> Precision.F32;
            case "bf16" -> Precision.BF16;
            default -> throw new IllegalArgumentException("--precision " + precision + " is not f32 or bf16");
        };
        String m = mode != null ? mode.toLowerCase(Locale.ROOT)
                : (config.equals("tiny-28") || config.equals("small-224") ? "vit" : "dinov2");
        PrintWriter out = spec.commandLine().getOut();
        try (Backend backend = switch (backendName.toLowerCase(Locale.ROOT)) {
            case "dnnl" -> new DnnlBackend(p);
            case "cuda" -> new CudaBackend(p);
            default -> throw new IllegalArgumentException("--backend " + backendName + " is not dnnl or cuda");
        }) {
            Result r = switch (m) {
                case "vit" -> vit(backend, VIT.stream().filter(c -> c.name.equals(config)).findFirst().orElseThrow(
                        () -> new IllegalArgumentException("no vit config " + config + ": use tiny-28, small-32 or small-224")));
                case "dinov2" -> dinov2(backend, DINO.stream().filter(c -> c.name.equals(config)).findFirst().orElseThrow(
                        () -> new IllegalArgumentException("no dinov2 config " + config
                                + ": use fmnist-tiny, small-32 or vits14-224")));
                default -> throw new IllegalArgumentException("--mode " + mode + " is not vit or dinov2");
            };
            double median = Timing.median(r.seconds);
            double imagesPerSecond = r.batch / median;
            double gflops = r.flopsPerImage * imagesPerSecond / 1e9;
            // Speeds mean little without the instruction set: bf16 is f32 on a CPU without bf16 kernels.
            String cpu = backend instanceof DnnlBackend ? CpuIsa.describe() : null;
            if (json) {
                out.printf(Locale.ROOT, "{\"bench\":\"step\",\"mode\":\"%s\",\"config\":\"%s\",\"precision\":\"%s\","
                                + "\"backend\":\"%s\",\"batch\":%d,\"steps\":%d,\"step_median_s\":%.4f,\"step_min_s\":%.4f,"
                                + "\"images_per_s\":%.2f,\"gflops\":%.1f,\"gflop_per_image\":%.3f,\"cpu\":%s}%n",
                        m, config, precision, backend.name(), r.batch, steps, median, Arrays.stream(r.seconds).min().orElse(0),
                        imagesPerSecond, gflops, r.flopsPerImage / 1e9, cpu == null ? "null" : "\"" + cpu + "\"");
            } else {
                out.printf(Locale.ROOT, "step %s %s %s on %s%s: batch %d, median %.3f s of %d steps -> %.2f images/s, %.1f GFLOP/s"
                                + " (%.3f GFLOP per image)%n", m, config, precision, backend.name(), cpu == null ? "" : " (" + cpu + ")",
                        r.batch, median, steps, imagesPerSecond, gflops, r.flopsPerImage / 1e9);
            }
            if (backend instanceof DnnlBackend dnnl && dnnl.profileReport() != null) {
                // DINOJ_PROFILE=1: where the timed steps went, per op (warm-up excluded).
                out.printf(Locale.ROOT, "dnnl profile over %d timed steps (DINOJ_PROFILE=1):%n%s", steps, dnnl.profileReport());
            }
            out.flush();
        }
        return 0;
    }

    private record Result(int batch, double flopsPerImage, double[] seconds) {
    }

    // ---------------------------------------------------------------- single view

    private Result vit(Backend backend, VitCase c) {
        int batch = batchOverride > 0 ? batchOverride : c.batch;
        TensorAllocator arena = backend.newArena();
        try {
            LayerContext context = new LayerContext(backend, arena, DType.F32);
            ViTConfig vitConfig = new ViTConfig(c.name, c.image, c.patch, c.channels, c.dim, c.depth, c.heads, 4.0,
                    ViTConfig.FfnKind.MLP, 0, 0f, 0.0, 0.1, true, true, true);
            VisionTransformer vit = new VisionTransformer(context, vitConfig, 0);
            DinoHead head = new DinoHead(context, new DinoHeadConfig(c.dim, c.prototypes, 3, HEAD_HIDDEN, HEAD_BOTTLENECK,
                    1e-12f), 1);
            List<Parameter> params = Parameters.concat(vit.parameters(), head.parameters());
            List<GroupedParameter> groups = new ArrayList<>();
            for (Parameter prm : params) {
                groups.add(new GroupedParameter(prm, "model", 1, 1, false));
            }
            AdamW adamw = new AdamW(backend, arena, groups, 0.9, 0.999, 1e-8);
            Tensor images = staged(backend, arena, random(batch * c.channels * c.image * c.image, 1),
                    batch, c.channels, c.image, c.image);
            float[] teacher = random(batch * c.prototypes, 2);
            softmaxRows(teacher, c.prototypes, 0.04);
            Tensor targets = staged(backend, arena, teacher, batch, c.prototypes);
            float[] ones = new float[batch];
            Arrays.fill(ones, 1f);
            Tensor weights = staged(backend, arena, ones, batch, 1);
            Tensor dLogits = arena.allocate(DType.F32, batch, c.prototypes);
            // With unit weights and divisor B the iBOT patch loss is the batch-mean cross-entropy.
            try (IbotPatchLoss loss = new IbotPatchLoss(backend, arena, DType.F32, batch, c.prototypes)) {
                Runnable step = () -> {
                    Parameters.zeroGrad(backend, params);
                    ViTOutput o = vit.forward(images, null, null);
                    DinoHead.Output logits = head.forward(o.clsToken());
                    loss.forwardBackward(logits.logits(), targets, weights, batch, 1.0, dLogits);
                    Tensor dCls = head.backward(logits, dLogits);
                    vit.backward(o, dCls, null, null);
                    adamw.step(1e-4, 0.04, 1e-4);
                    backend.synchronize();
                };
                double[] seconds = timeSteps(backend, step);
                long patches = (long) (c.image / c.patch) * (c.image / c.patch);
                double fwd = backboneFlops(patches, c.channels, c.patch, c.dim, c.depth) + headFlops(1, c.dim, c.prototypes);
                return new Result(batch, 3 * fwd, seconds);
            }
        } finally {
            close(arena);
        }
    }

    // ---------------------------------------------------------------- full DINOv2 step

    private Result dinov2(Backend backend, DinoCase c) throws NonFiniteStepException {
        int batch = batchOverride > 0 ? batchOverride : c.batch;
        TensorAllocator arena = backend.newArena();
        try {
            LayerContext context = new LayerContext(backend, arena, DType.F32);
            ViTConfig vitConfig = new ViTConfig(c.name, c.globalSize, c.patch, c.channels, c.dim, c.depth, c.heads, 4.0,
                    ViTConfig.FfnKind.MLP, 0, 1e-5f, 0.0, 0.1, true, true, true);
            DinoHeadConfig headConfig = new DinoHeadConfig(c.dim, c.prototypes, 3, HEAD_HIDDEN, HEAD_BOTTLENECK, 1e-12f);
            DinoV2Model model = new DinoV2Model(context, vitConfig, headConfig, null, 0);
            SslConfig ssl = new SslConfig(new DinoConfig(1.0, c.prototypes, HEAD_BOTTLENECK, 3, HEAD_HIDDEN, 0.1),
                    new IbotConfig(1.0, 0.5, 0.1, 0.5, false, c.prototypes, HEAD_BOTTLENECK, 3, HEAD_HIDDEN),
                    TeacherConfig.defaults(), OptimConfig.defaults(),
                    new TrainConfig(batch, 1250, CenteringMode.SINKHORN_KNOPP, 0));
            MultiCropCollator collator = new MultiCropCollator(new MaskingConfig(0.5, new Interval(0.1, 0.5), c.patch),
                    c.globalSize);
            SslSchedules schedules = new SslSchedules(ssl, batch);
            SplittableRandom rng = new SplittableRandom(0);
            List<MultiCropSample> samples = new ArrayList<>();
            for (int b = 0; b < batch; b++) {
                float[][] global = {random(c.channels * c.globalSize * c.globalSize, rng.nextLong()),
                        random(c.channels * c.globalSize * c.globalSize, rng.nextLong())};
                float[][] local = new float[c.locals][];
                for (int l = 0; l < c.locals; l++) {
                    local[l] = random(c.channels * c.localSize * c.localSize, rng.nextLong());
                }
                samples.add(new MultiCropSample(c.channels, c.globalSize, c.localSize, global, local));
            }
            try (DinoV2Step step = new DinoV2Step(context, model, ssl, batch, c.channels, c.globalSize, c.localSize,
                    c.locals, collator.maskedPatchUpperbound(batch))) {
                double[] seconds = new double[steps];
                double masked = 0;
                for (int i = 0; i < warmup + steps; i++) {
                    if (i == warmup) {
                        resetProfile(backend);
                    }
                    MultiCropBatch b = collator.collate(samples, rng);
                    long t0 = System.nanoTime();
                    step.run(b, i, schedules.at(1250 + i), 1.0, rng);
                    backend.synchronize();
                    if (i >= warmup) {
                        seconds[i - warmup] = (System.nanoTime() - t0) / 1e9;
                        masked += (double) b.nMaskedPatches() / batch / steps;
                    }
                }
                long globalPatches = (long) (c.globalSize / c.patch) * (c.globalSize / c.patch);
                long localPatches = (long) (c.localSize / c.patch) * (c.localSize / c.patch);
                double student = 2 * backboneFlops(globalPatches, c.channels, c.patch, c.dim, c.depth)
                        + c.locals * backboneFlops(localPatches, c.channels, c.patch, c.dim, c.depth)
                        + headFlops(2 + c.locals + masked, c.dim, c.prototypes);
                double teacher = 2 * backboneFlops(globalPatches, c.channels, c.patch, c.dim, c.depth)
                        + headFlops(2 + masked, c.dim, c.prototypes);
                return new Result(batch, 3 * student + teacher, seconds);
            }
        } finally {
            close(arena);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** The scripts' analytic matmul FLOPs of one image's backbone forward (patch embedding + blocks). */
    static double backboneFlops(long patches, int channels, int patch, int dim, int depth) {
        double n = patches + 1;
        return 2.0 * patches * channels * patch * patch * dim + depth * (24 * n * dim * dim + 4 * n * n * dim);
    }

    /** The head's forward FLOPs for {@code rows} rows. */
    static double headFlops(double rows, int dim, int prototypes) {
        return 2 * rows * ((double) dim * HEAD_HIDDEN + (double) HEAD_HIDDEN * HEAD_HIDDEN
                + (double) HEAD_HIDDEN * HEAD_BOTTLENECK + (double) HEAD_BOTTLENECK * prototypes);
    }

    private double[] timeSteps(Backend backend, Runnable step) {
        for (int i = 0; i < warmup; i++) {
            step.run();
        }
        resetProfile(backend);
        double[] seconds = new double[steps];
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            step.run();
            seconds[i] = (System.nanoTime() - t0) / 1e9;
        }
        return seconds;
    }

    private static void resetProfile(Backend backend) {
        if (backend instanceof DnnlBackend dnnl) {
            dnnl.resetProfile();
        }
    }

    private static float[] random(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) rng.nextGaussian();
        }
        return out;
    }

    private static void softmaxRows(float[] x, int cols, double temperature) {
        for (int r = 0; r < x.length / cols; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, x[r * cols + c] / temperature);
            }
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                sum += Math.exp(x[r * cols + c] / temperature - max);
            }
            for (int c = 0; c < cols; c++) {
                x[r * cols + c] = (float) (Math.exp(x[r * cols + c] / temperature - max) / sum);
            }
        }
    }

    /** A backend tensor holding {@code values} (through a host copy for device backends). */
    private static Tensor staged(Backend backend, TensorAllocator arena, float[] values, long... shape) {
        Tensor t = arena.allocate(DType.F32, shape);
        try (org.dinoj.model.tensor.HostArena host = new org.dinoj.model.tensor.HostArena()) {
            Tensor h = host.allocate(DType.F32, shape);
            h.copyFrom(values);
            backend.copy(h, t);
            backend.synchronize();
        }
        return t;
    }

    private static void close(TensorAllocator arena) {
        if (arena instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the benchmark's tensors failed", e);
            }
        }
    }
}
