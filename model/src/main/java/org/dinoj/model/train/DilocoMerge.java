package org.dinoj.model.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.dinoj.model.checkpoint.SafeTensors;
import org.dinoj.model.checkpoint.SafeTensorsFile;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;

/**
 * The DiLoCo outer step (Douillard et al. 2023) on checkpoint files: after every shard trained H
 * inner steps from the same global checkpoint, the global student takes one SGD step with Nesterov
 * momentum along the outer gradient, and the teacher and centering state become the shard means.
 *
 * <p>Key naming contract of {@code model.safetensors} (the trainer writes it, this class relies on
 * it; the names are those of dinov2's {@code SSLMetaArch} state dict):
 * <ul>
 *   <li>{@code student.*}: student parameters. Outer step:
 *       {@code delta = global - mean_k(shard_k)}, {@code m = momentum * m + delta},
 *       {@code global -= lr * (delta + momentum * m)} (torch.optim.SGD with nesterov=True,
 *       dampening 0). The buffer {@code m} is kept in {@code outer_momentum.safetensors} under the
 *       same key names (F32), zero before the first merge.</li>
 *   <li>{@code teacher.*}: EMA teacher parameters: the mean of the shards (the EMA sync).</li>
 *   <li>{@code dino_loss.*}, {@code ibot_patch_loss.*}: centering state (the teachers' running
 *       centers): the mean of the shards.</li>
 * </ul>
 * Any other key is refused, so that a new kind of state is merged on purpose, never by accident.
 * Every shard must hold the same keys with the same shapes as the global checkpoint. Values are
 * combined in double precision and written in the dtype the global checkpoint has (F32 or BF16);
 * a non-finite result is refused, so a merge never writes a non-finite checkpoint.
 */
public final class DilocoMerge {
    public static final String MODEL_FILE = "model.safetensors";
    public static final String OUTER_MOMENTUM_FILE = "outer_momentum.safetensors";
    public static final String STUDENT_PREFIX = "student.";
    public static final String TEACHER_PREFIX = "teacher.";
    /** Prefixes of the centering buffers, averaged like the teacher. */
    public static final List<String> CENTERING_PREFIXES = List.of("dino_loss.", "ibot_patch_loss.");

    /** Outer SGD with Nesterov momentum; the paper's defaults are lr 0.7 and momentum 0.9. */
    public record OuterOptimizer(double learningRate, double momentum) {
        public OuterOptimizer {
            if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
                throw new IllegalArgumentException("outer learning rate must be positive, got " + learningRate);
            }
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("outer momentum must be in [0, 1), got " + momentum);
            }
        }

        public static OuterOptimizer paperDefaults() {
            return new OuterOptimizer(0.7, 0.9);
        }
    }

    private DilocoMerge() {
    }

    /**
     * Merges {@code shards} (checkpoint directories, each with {@code model.safetensors}) into
     * {@code out} (an existing empty directory), given the round's starting {@code global}
     * checkpoint directory ({@code model.safetensors}, and {@code outer_momentum.safetensors}
     * after the first merge). Writes {@code model.safetensors} and {@code outer_momentum.safetensors}.
     */
    public static void merge(Path global, List<Path> shards, OuterOptimizer optimizer, Path out) throws IOException {
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("a merge needs at least one shard checkpoint");
        }
        Path momentumFile = global.resolve(OUTER_MOMENTUM_FILE);
        List<SafeTensorsFile> open = new ArrayList<>();
        try (HostArena arena = new HostArena()) {
            SafeTensorsFile globalModel = track(open, SafeTensors.read(global.resolve(MODEL_FILE)));
            SafeTensorsFile momentum = Files.exists(momentumFile) ? track(open, SafeTensors.read(momentumFile)) : null;
            List<SafeTensorsFile> shardModels = new ArrayList<>();
            for (Path shard : shards) {
                shardModels.add(track(open, SafeTensors.read(shard.resolve(MODEL_FILE))));
            }
            Set<String> keys = new TreeSet<>(globalModel.names());
            for (int k = 0; k < shards.size(); k++) {
                if (!shardModels.get(k).names().equals(keys)) {
                    throw new IllegalArgumentException("shard checkpoint " + shards.get(k) + " does not hold the same"
                            + " tensors as the global checkpoint " + global + "; the shards of one job must share one model");
                }
            }
            Map<String, Tensor> model = new LinkedHashMap<>();
            Map<String, Tensor> newMomentum = new LinkedHashMap<>();
            for (String key : keys) {
                Tensor g = globalModel.tensor(key);
                List<Tensor> parts = new ArrayList<>(shardModels.size());
                for (int k = 0; k < shardModels.size(); k++) {
                    Tensor t = shardModels.get(k).tensor(key);
                    if (!t.sameShape(g)) {
                        throw new IllegalArgumentException("tensor '" + key + "' of shard checkpoint " + shards.get(k)
                                + " has shape " + java.util.Arrays.toString(t.shape()) + ", the global one "
                                + java.util.Arrays.toString(g.shape()));
                    }
                    parts.add(t);
                }
                Tensor merged = arena.allocate(g.dtype(), g.shape());
                if (key.startsWith(STUDENT_PREFIX)) {
                    Tensor m = arena.allocate(DType.F32, g.shape());
                    Tensor previous = momentum != null && momentum.names().contains(key) ? momentum.tensor(key) : null;
                    outerStep(key, g, parts, previous, optimizer, merged, m);
                    newMomentum.put(key, m);
                } else if (key.startsWith(TEACHER_PREFIX) || CENTERING_PREFIXES.stream().anyMatch(key::startsWith)) {
                    mean(key, parts, merged);
                } else {
                    throw new IllegalArgumentException("checkpoint tensor '" + key + "' is neither student.*, teacher.*"
                            + " nor centering state (" + String.join(", ", CENTERING_PREFIXES) + "*); DilocoMerge does"
                            + " not know how to merge it");
                }
                model.put(key, merged);
            }
            SafeTensors.write(out.resolve(MODEL_FILE), model, Map.of("format", "pt"));
            SafeTensors.write(out.resolve(OUTER_MOMENTUM_FILE), newMomentum, Map.of("format", "pt"));
        } finally {
            for (SafeTensorsFile f : open) {
                f.close();
            }
        }
    }

    private static SafeTensorsFile track(List<SafeTensorsFile> open, SafeTensorsFile file) {
        open.add(file);
        return file;
    }

    /** All tensors share one shape; element-wise over the row-major order. */
    private static void outerStep(String key, Tensor global, List<Tensor> shards, Tensor previousMomentum,
                                  OuterOptimizer optimizer, Tensor out, Tensor momentumOut) {
        if (previousMomentum != null && !previousMomentum.sameShape(global)) {
            throw new IllegalArgumentException("outer momentum of '" + key + "' has another shape than the tensor");
        }
        double mu = optimizer.momentum();
        double lr = optimizer.learningRate();
        long n = global.numel();
        for (long i = 0; i < n; i++) {
            double g = global.getFlat(i);
            double delta = g - shardMean(shards, i);
            double m = mu * (previousMomentum == null ? 0 : previousMomentum.getFlat(i)) + delta;
            double updated = g - lr * (delta + mu * m);
            requireFinite(key, updated);
            out.setFlat(i, updated);
            momentumOut.setFlat(i, m);
        }
    }

    private static void mean(String key, List<Tensor> shards, Tensor out) {
        long n = out.numel();
        for (long i = 0; i < n; i++) {
            double v = shardMean(shards, i);
            requireFinite(key, v);
            out.setFlat(i, v);
        }
    }

    private static double shardMean(List<Tensor> shards, long i) {
        double sum = 0;
        for (int k = 0; k < shards.size(); k++) {
            sum += shards.get(k).getFlat(i);
        }
        return sum / shards.size();
    }

    private static void requireFinite(String key, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("merging '" + key + "' gives " + value
                    + "; a shard checkpoint holds non-finite weights, so no global checkpoint is written");
        }
    }
}
