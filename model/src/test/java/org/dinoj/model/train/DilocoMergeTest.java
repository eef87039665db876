package org.dinoj.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dinoj.model.checkpoint.SafeTensors;
import org.dinoj.model.checkpoint.SafeTensorsFile;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DilocoMergeTest {
    // Values pass through F32 files: 1e-6 covers float rounding of numbers of magnitude ~2.
    private static final double F32_TOLERANCE = 1e-6;

    @TempDir
    Path dir;

    @Test
    void firstMergeIsANesterovStepFromZeroMomentumAndMeansTeacherAndCenter() throws IOException {
        Path global = checkpoint("global", Map.of("student.w", new double[]{1, 2}, "teacher.w", new double[]{9, 9},
                "dino_loss.center", new double[]{5}));
        Path a = checkpoint("a", Map.of("student.w", new double[]{0, 0}, "teacher.w", new double[]{1, 2},
                "dino_loss.center", new double[]{1}));
        Path b = checkpoint("b", Map.of("student.w", new double[]{1, 1}, "teacher.w", new double[]{3, 6},
                "dino_loss.center", new double[]{2}));
        Path out = Files.createDirectory(dir.resolve("out"));

        DilocoMerge.merge(global, List.of(a, b), DilocoMerge.OuterOptimizer.paperDefaults(), out);

        // delta = global - mean = [0.5, 1.5]; m = delta; step = delta + 0.9 m = 1.9 delta; global -= 0.7 * step.
        assertThat(read(out, "model.safetensors", "student.w")).containsExactly(new double[]{0.335, 0.005},
                within(F32_TOLERANCE));
        assertThat(read(out, "outer_momentum.safetensors", "student.w")).containsExactly(new double[]{0.5, 1.5},
                within(F32_TOLERANCE));
        assertThat(read(out, "model.safetensors", "teacher.w")).containsExactly(new double[]{2, 4}, within(F32_TOLERANCE));
        assertThat(read(out, "model.safetensors", "dino_loss.center")).containsExactly(new double[]{1.5},
                within(F32_TOLERANCE));
    }

    @Test
    void laterMergesCarryTheOuterMomentum() throws IOException {
        Path global = checkpoint("global", Map.of("student.w", new double[]{1, 2}));
        write(global.resolve("outer_momentum.safetensors"), Map.of("student.w", new double[]{1, -1}));
        Path a = checkpoint("a", Map.of("student.w", new double[]{0, 0}));
        Path b = checkpoint("b", Map.of("student.w", new double[]{1, 1}));
        Path out = Files.createDirectory(dir.resolve("out"));

        DilocoMerge.merge(global, List.of(a, b), DilocoMerge.OuterOptimizer.paperDefaults(), out);

        // m = 0.9 [1, -1] + [0.5, 1.5] = [1.4, 0.6]; step = delta + 0.9 m = [1.76, 2.04]; global -= 0.7 step.
        assertThat(read(out, "outer_momentum.safetensors", "student.w")).containsExactly(new double[]{1.4, 0.6},
                within(F32_TOLERANCE));
        assertThat(read(out, "model.safetensors", "student.w")).containsExactly(new double[]{-0.232, 0.572},
                within(F32_TOLERANCE));
    }

    @Test
    void withLearningRateOneAndNoMomentumTheStudentIsTheShardMean() throws IOException {
        Path global = checkpoint("global", Map.of("student.w", new double[]{4, -4, 8}));
        Path a = checkpoint("a", Map.of("student.w", new double[]{1, 2, 3}));
        Path b = checkpoint("b", Map.of("student.w", new double[]{3, 2, 1}));
        Path out = Files.createDirectory(dir.resolve("out"));

        DilocoMerge.merge(global, List.of(a, b), new DilocoMerge.OuterOptimizer(1.0, 0.0), out);

        assertThat(read(out, "model.safetensors", "student.w")).containsExactly(new double[]{2, 2, 2},
                within(F32_TOLERANCE));
    }

    @Test
    void refusesKeysOutsideTheContractAndShardsWithOtherTensors() throws IOException {
        Path global = checkpoint("global", Map.of("student.w", new double[]{1}, "mystery", new double[]{1}));
        Path a = checkpoint("a", Map.of("student.w", new double[]{1}, "mystery", new double[]{1}));
        Path out = Files.createDirectory(dir.resolve("out"));
        assertThatThrownBy(() -> DilocoMerge.merge(global, List.of(a), DilocoMerge.OuterOptimizer.paperDefaults(), out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'mystery'");

        Path global2 = checkpoint("global2", Map.of("student.w", new double[]{1}));
        Path other = checkpoint("other", Map.of("student.v", new double[]{1}));
        assertThatThrownBy(() -> DilocoMerge.merge(global2, List.of(other), DilocoMerge.OuterOptimizer.paperDefaults(),
                out)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same tensors");
    }

    @Test
    void refusesToWriteNonFiniteWeights() throws IOException {
        Path global = checkpoint("global", Map.of("teacher.w", new double[]{1}));
        Path a = checkpoint("a", Map.of("teacher.w", new double[]{Double.NaN}));
        Path out = Files.createDirectory(dir.resolve("out"));
        assertThatThrownBy(() -> DilocoMerge.merge(global, List.of(a), DilocoMerge.OuterOptimizer.paperDefaults(), out))
                .hasMessageContaining("non-finite");
        assertThat(out.resolve("model.safetensors")).doesNotExist();
    }

    private Path checkpoint(String name, Map<String, double[]> tensors) throws IOException {
        Path d = Files.createDirectory(dir.resolve(name));
        write(d.resolve("model.safetensors"), tensors);
        return d;
    }

    private static void write(Path file, Map<String, double[]> values) throws IOException {
        try (HostArena arena = new HostArena()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, double[]> e : new java.util.TreeMap<>(values).entrySet()) {
                tensors.put(e.getKey(), arena.allocate(DType.F32, e.getValue().length).copyFrom(e.getValue()));
            }
            SafeTensors.write(file, tensors, Map.of());
        }
    }

    private static double[] read(Path dir, String file, String key) throws IOException {
        try (SafeTensorsFile f = SafeTensors.read(dir.resolve(file))) {
            return f.tensor(key).toDoubleArray();
        }
    }
}
