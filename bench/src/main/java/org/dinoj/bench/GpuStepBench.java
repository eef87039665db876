package org.dinoj.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.ProfilingBackend;
import org.dinoj.model.backend.cuda.CudaBackend;
import org.dinoj.model.backend.dnnl.DnnlBackend;
import org.dinoj.model.data.augment.MultiCropBatch;
import org.dinoj.model.data.augment.MultiCropCollator;
import org.dinoj.model.data.augment.MultiCropSample;
import org.dinoj.model.nn.DinoHeadConfig;
import org.dinoj.model.nn.LayerContext;
import org.dinoj.model.nn.ViTConfig;
import org.dinoj.model.ssl.NonFiniteStepException;
import org.dinoj.model.ssl.SslLossTerms;
import org.dinoj.model.ssl.SslSchedules;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.TensorAllocator;
import org.dinoj.model.train.Backends;
import org.dinoj.model.train.DinoV2Model;
import org.dinoj.model.train.DinoV2Step;
import org.dinoj.model.train.config.DinoV2Config;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dinoj bench step}: time of one full DINOv2 training step (teacher targets, student forward
 * and backward, DINO + iBOT + KoLeo, clipping, AdamW, EMA) on random crops, with the workload of
 * bench/pytorch/dinov2_step_gpu.py (and of the CPU reference script): Sinkhorn-Knopp targets, a
 * DINO head shared with iBOT, no stochastic depth. Loading a collated batch into the step's
 * tensors (a host-to-device copy on the GPU) is outside the timed region, as the PyTorch script
 * keeps its crops on the device; the step is timed between two synchronizations. FLOPs are the
 * same analytic matmul count as the PyTorch script, so both MFU figures are comparable.
 */
@Command(name = "gpu-step",
        mixinStandardHelpOptions = true,
        description = "Time one full DINOv2 training step (reference, dnnl or cuda backend).")
public final class GpuStepBench implements Callable<Integer> {
    /** H100 SXM dense bf16 tensor-core peak, the MFU denominator (as the PyTorch script). */
    static final double H100_BF16_DENSE_PEAK = 989e12;

    @Spec
    private CommandSpec spec;

    @Option(names = "--backend", defaultValue = "dnnl", description = "reference, dnnl or cuda (default ${DEFAULT-VALUE}).")
    private String backendName;

    @Option(names = "--config", defaultValue = "vits14-224",
            description = "vits14-224 (ViT-S/14, 2 x 224 + 8 x 98 px, K 65536, batch 8), tiny-test or fashion-mnist (the"
                    + " preset, batch 64) (default ${DEFAULT-VALUE}).")
    private String configName;

    @Option(names = "--precision", defaultValue = "bf16", description = "f32 or bf16 matmuls (default ${DEFAULT-VALUE}).")
    private String precision;

    @Option(names = "--batch", description = "Images per step (default: the config's).")
    private Integer batch;

    @Option(names = "--steps", defaultValue = "10", description = "Timed steps; the median is reported (default ${DEFAULT-VALUE}).")
    private int steps;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps first (default ${DEFAULT-VALUE}).")
    private int warmup;

    @Option(names = "--set", description = "Extra config overrides, section.key=value (repeatable).")
    private List<String> extraOverrides = new ArrayList<>();

    /** The benchmark configurations: a preset and overrides. */
    static DinoV2Config config(String name, String backend, String precision, Integer batch, List<String> extra) {
        List<String> overrides = new ArrayList<>(List.of(
                "compute.backend=" + backend, "compute.precision=" + precision,
                "student.drop_path_rate=0", "train.centering=sinkhorn_knopp", "ibot.separate_head=false"));
        String preset = switch (name) {
            case "vits14-224" -> {
                overrides.add("train.batch_size_per_gpu=" + (batch == null ? 8 : batch));
                yield "vits14";
            }
            case "tiny-test" -> {
                overrides.add("train.batch_size_per_gpu=" + (batch == null ? 4 : batch));
                yield "tiny-test";
            }
            case "fashion-mnist" -> {
                // The preset the README's main command trains (its own batch, 64), as its step runs.
                if (batch != null) {
                    overrides.add("train.batch_size_per_gpu=" + batch);
                }
                yield "fashion-mnist";
            }
            default -> throw new IllegalArgumentException("--config " + name + " is not a benchmark configuration; use "
                    + "vits14-224, tiny-test or fashion-mnist");
        };
        overrides.addAll(extra);
        return DinoV2Config.load(preset, overrides);
    }

    @Override
    public Integer call() throws NonFiniteStepException {
        if (steps < 1 || warmup < 0) {
            throw new IllegalArgumentException("--steps must be at least 1 and --warmup at least 0, got " + steps + " and "
                    + warmup);
        }
        PrintWriter out = spec.commandLine().getOut();
        DinoV2Config config = config(configName, backendName, precision, batch, extraOverrides);
        int b = config.train().batchSizePerGpu();
        ViTConfig vit = config.vit();
        MultiCropCollator collator = new MultiCropCollator(config.masking(), config.crops().globalCropsSize());
        SplittableRandom rng = new SplittableRandom(0);
        // A few collated batches, cycled: the masks differ from step to step as in training.
        MultiCropBatch[] batches = new MultiCropBatch[3];
        for (int i = 0; i < batches.length; i++) {
            batches[i] = collator.collate(randomSamples(config, b, rng), rng);
        }
        try (Backend backend = profiledIfRequested(Backends.open(config.compute()))) {
            ProfilingBackend profiler = backend instanceof ProfilingBackend p ? p : null;
            long syncsBefore = 0;
            TensorAllocator allocator = backend.newArena();
            try {
                LayerContext context = new LayerContext(backend, allocator, DType.F32);
                DinoV2Model model = new DinoV2Model(context, vit, config.dinoHead(),
                        config.ibot().separateHead() ? config.ibotHead() : null, config.train().seed());
                SslSchedules schedules = new SslSchedules(config.ssl(), b);
                double[] seconds = new double[steps];
                double maskedPerImage = 0;
                try (DinoV2Step step = new DinoV2Step(context, model, config.ssl(), b, config.student().inChans(),
                        config.crops().globalCropsSize(), config.crops().localCropsSize(),
                        config.crops().localCropsNumber(), collator.maskedPatchUpperbound(b))) {
                    for (int i = 0; i < warmup + steps; i++) {
                        if (i == warmup && profiler != null) {
                            profiler.reset();
                            syncsBefore = synchronizations(backend);
                        }
                        if (i == warmup && dnnlOf(backend) instanceof DnnlBackend dnnl) {
                            dnnl.resetProfile();
                        }
                        MultiCropBatch batchNow = batches[i % batches.length];
                        SslSchedules.Values schedule = schedules.at(i);
                        step.load(batchNow);
                        backend.synchronize();
                        long start = System.nanoTime();
                        step.computeTeacherTargets(schedule.teacherTemp());
                        SslLossTerms terms = step.studentForwardBackward(new SplittableRandom(i));
                        step.apply(i, terms, schedule, 1.0);
                        backend.synchronize();
                        double dt = (System.nanoTime() - start) / 1e9;
                        double loss = terms.total(config.ssl().dino().lossWeight(), config.ssl().ibot().lossWeight());
                        out.printf(Locale.ROOT, "dinoj %s %s %s batch %d step %d %.1f ms loss %.4f masked %d%n",
                                backend.name(), configName, precision, b, i, dt * 1e3, loss, step.maskedPatches());
                        out.flush();
                        if (i >= warmup) {
                            seconds[i - warmup] = dt;
                            maskedPerImage += (double) step.maskedPatches() / b / steps;
                        }
                    }
                }
                if (profiler != null) {
                    double stepMs = Arrays.stream(seconds).sum() * 1e3 / steps;
                    out.printf(Locale.ROOT, "PROFILE %.1f ms per profiled step, %.1f ms of it outside backend operations "
                                    + "(host work), %.1f host synchronizations per step (the profiler's own excluded, the benchmark's two included)%n",
                            stepMs, stepMs - profiler.totalNanos() / 1e6 / steps,
                            (double) (synchronizations(backend) - syncsBefore - profiler.ownSynchronizations()) / steps);
                    out.print(profiler.report(steps, 30));
                    out.flush();
                }
                double median = Timing.median(seconds);
                double flopPerImage = stepFlopsPerImage(config, maskedPerImage);
                double achieved = flopPerImage * b / median;
                // "fused": the backend's flash attention; "matmul": matmul, softmax, matmul (the default elsewhere).
                String attention = backend.fusesAttention(vit.embedDim() / vit.heads()) ? "fused" : "matmul";
                out.printf(Locale.ROOT, "RESULT {\"impl\":\"dinoj\",\"backend\":\"%s\",\"config\":\"%s\",\"prec\":\"%s\","
                                + "\"attention\":\"%s\",\"softmax\":\"%s\",\"batch\":%d,\"steps\":%d,\"step_ms\":%.3f,\"min_ms\":%.3f,\"max_ms\":%.3f,\"img_s\":%.3f,"
                                + "\"gflop_per_img\":%.3f,\"tflops\":%.4f,\"mfu_bf16_peak\":%.5f}%n",
                        backend.name(), configName, precision.toLowerCase(Locale.ROOT), attention,
                        System.getenv().getOrDefault("DINOJ_CUDA_SOFTMAX", "dinoj"), b, steps, median * 1e3,
                        Arrays.stream(seconds).min().orElse(0) * 1e3, Arrays.stream(seconds).max().orElse(0) * 1e3,
                        b / median, flopPerImage / 1e9, achieved / 1e12, achieved / H100_BF16_DENSE_PEAK);
                if (dnnlOf(backend) instanceof DnnlBackend dnnl && dnnl.profileReport() != null) {
                    // DINOJ_PROFILE=1: per op kind and oneDNN implementation (ref:any shows a reference kernel).
                    out.printf(Locale.ROOT, "dnnl profile over %d timed steps (DINOJ_PROFILE=1):%n%s", steps,
                            dnnl.profileReport());
                }
                out.flush();
            } finally {
                if (allocator instanceof AutoCloseable closeable) {
                    try {
                        closeable.close();
                    } catch (Exception e) {
                        throw new IllegalStateException("closing the benchmark's tensors failed", e);
                    }
                }
            }
        }
        return 0;
    }

    /** The backend wrapped in a {@link ProfilingBackend} when {@code DINOJ_CUDA_PROFILE=1}. */
    private static Backend profiledIfRequested(Backend backend) {
        if (!ProfilingBackend.requested()) {
            return backend;
        }
        return new ProfilingBackend(backend, backend instanceof CudaBackend cuda ? cuda::deviceCalls : null);
    }

    /** The backend itself, under a {@link ProfilingBackend} if there is one. */
    private static Backend dnnlOf(Backend backend) {
        return backend instanceof ProfilingBackend p ? p.delegate() : backend;
    }

    /** The host waits of a CUDA backend outside the profiler's own (0 for other backends). */
    private static long synchronizations(Backend backend) {
        Backend inner = backend instanceof ProfilingBackend p ? p.delegate() : backend;
        return inner instanceof CudaBackend cuda ? cuda.synchronizations() : 0;
    }

    /** Normal(0, 1) crops, as the PyTorch script's torch.randn images. */
    private static List<MultiCropSample> randomSamples(DinoV2Config config, int batch, SplittableRandom rng) {
        int c = config.student().inChans();
        int g = config.crops().globalCropsSize();
        int l = config.crops().localCropsSize();
        int locals = config.crops().localCropsNumber();
        List<MultiCropSample> samples = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            float[][] global = new float[2][c * g * g];
            float[][] local = new float[locals][c * l * l];
            for (float[] crop : global) {
                fill(crop, rng);
            }
            for (float[] crop : local) {
                fill(crop, rng);
            }
            samples.add(new MultiCropSample(c, g, l, global, local));
        }
        return samples;
    }

    private static void fill(float[] crop, SplittableRandom rng) {
        for (int i = 0; i < crop.length; i++) {
            crop[i] = (float) rng.nextGaussian();
        }
    }

    /**
     * Matmul FLOPs of one step per image, as the PyTorch script counts them: 3x the student forward
     * (forward + backward) plus the teacher forward; the backbone's qkv/proj/MLP (24 n D^2 per block)
     * and attention (4 n^2 D) with n = patches + 1, the patch embedding, the head's MLP and prototypes.
     */
    static double stepFlopsPerImage(DinoV2Config config, double maskedPerImage) {
        ViTConfig vit = config.vit();
        DinoHeadConfig head = config.dinoHead();
        int patch = vit.patchSize();
        double globalPatches = Math.pow(config.crops().globalCropsSize() / patch, 2);
        double localPatches = Math.pow(config.crops().localCropsSize() / patch, 2);
        int locals = config.crops().localCropsNumber();
        double student = 2 * backboneFlops(vit, globalPatches) + locals * backboneFlops(vit, localPatches)
                + headFlops(vit, head, 2 + locals + maskedPerImage);
        double teacher = 2 * backboneFlops(vit, globalPatches) + headFlops(vit, head, 2 + maskedPerImage);
        return 3 * student + teacher;
    }

    private static double backboneFlops(ViTConfig vit, double patches) {
        double d = vit.embedDim();
        double n = patches + 1;
        double hidden = vit.mlpHidden();
        double perBlock = 2 * n * d * (3 * d) + 2 * n * d * d + 2 * 2 * n * d * hidden + 4 * n * n * d;
        return 2 * patches * vit.inChannels() * patch2(vit) * d + vit.depth() * perBlock;
    }

    private static double patch2(ViTConfig vit) {
        return (double) vit.patchSize() * vit.patchSize();
    }

    private static double headFlops(ViTConfig vit, DinoHeadConfig head, double rows) {
        double perRow = 0;
        int in = vit.embedDim();
        for (int i = 0; i < head.layers(); i++) {
            int outDim = i == head.layers() - 1 ? head.bottleneckDim() : head.hiddenDim();
            perRow += (double) in * outDim;
            in = outDim;
        }
        perRow += (double) head.bottleneckDim() * head.prototypes();
        return 2 * rows * perRow;
    }
}
