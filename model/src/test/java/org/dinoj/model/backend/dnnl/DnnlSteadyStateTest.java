package org.dinoj.model.backend.dnnl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.dinoj.model.backend.Activation;
import org.dinoj.model.backend.AdamWStep;
import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.Reduction;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** A training-step-like loop of every op allocates no native memory once its primitives exist. */
class DnnlSteadyStateTest {
    /** Long enough for the JIT to settle: before that, compilation alone moves RSS by tens of MB. */
    private static final int WARMUP = 500;
    private static final int ITERATIONS = 200;
    /**
     * After warm-up RSS still moves by about 6 MB as the Java heap's young generation is touched
     * (views are Java objects); measured the same over 200 and 1000 iterations, so it is not
     * growth per call. A leaked primitive, memory object or scratchpad per call would exceed it.
     */
    private static final long RSS_SLACK_BYTES = 16L << 20;

    @Test
    void steadyStateLoopAllocatesNoNativeMemory() throws IOException {
        try (DnnlBackend backend = new DnnlBackend(Precision.BF16); HostArena arena = new HostArena()) {
            Random random = new Random(1);
            Tensor x = random(arena, random, 4, 16, 64);
            Tensor w = random(arena, random, 64, 64);
            Tensor bias = random(arena, random, 64);
            Tensor h = arena.f32(4, 16, 64);
            Tensor y = arena.f32(4, 16, 64);
            Tensor mean = arena.f32(64);
            Tensor var = arena.f32(64);
            Tensor gamma = random(arena, random, 64);
            Tensor beta = random(arena, random, 64);
            Tensor dgamma = arena.f32(64);
            Tensor dbeta = arena.f32(64);
            Tensor scores = arena.f32(4, 16, 16);
            Tensor rowSums = arena.f32(4, 16, 1);
            Tensor half = arena.allocate(DType.BF16, 4, 16, 64);
            Tensor m = arena.f32(64, 64);
            Tensor v = arena.f32(64, 64);
            Runnable step = () -> {
                backend.matmul(x, w, bias, h, 1f, 0f);
                backend.activationForward(Activation.GELU_ERF, h, h);
                backend.layerNormForward(h, gamma, beta, 1e-6f, y, mean, var);
                backend.matmul(y, y.transpose(-1, -2), null, scores, 0.125f, 0f);
                backend.softmaxForward(scores, scores, false);
                backend.softmaxBackward(scores, scores, scores, false);
                backend.layerNormBackward(h, gamma, mean, var, 1e-6f, y, h, dgamma, dbeta);
                backend.activationBackward(Activation.SILU, y, h, h);
                backend.binary(BinaryOp.ADD, y, bias.view(1, 1, 64), y);
                backend.linear(y, 0.5f, 0f, y);
                backend.reduce(Reduction.SUM_OF_SQUARES, scores, rowSums);
                backend.copy(y, half);
                backend.fill(scores.slice(2, 0, 4), 0f);
                backend.adamw(w, w, m, v, new AdamWStep(1e-4f, 0.9f, 0.999f, 1e-8f, 0.04f, 1));
            };
            for (int i = 0; i < WARMUP; i++) {
                step.run();
            }
            long allocations = HostArena.allocationCount();
            long misses = backend.cacheMisses();
            long rss = residentBytes();
            for (int i = 0; i < ITERATIONS; i++) {
                step.run();
            }
            assertThat(HostArena.allocationCount()).isEqualTo(allocations);
            assertThat(backend.cacheMisses()).isEqualTo(misses);
            assertThat(residentBytes() - rss).isLessThan(RSS_SLACK_BYTES);
        }
    }

    private static Tensor random(HostArena arena, Random random, long... shape) {
        Tensor t = arena.f32(shape);
        for (long i = 0; i < t.numel(); i++) {
            t.setFlat(i, random.nextDouble() - 0.5);
        }
        return t;
    }

    /** Resident set size from /proc/self/statm (second field, in pages). */
    private static long residentBytes() throws IOException {
        String[] fields = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
        return Long.parseLong(fields[1]) * 4096;
    }
}
