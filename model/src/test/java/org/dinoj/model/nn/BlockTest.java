package org.dinoj.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dinoj.model.nn.NnTesting.assertGradient;
import static org.dinoj.model.nn.NnTesting.dot;
import static org.dinoj.model.nn.NnTesting.random;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.assertj.core.data.Offset;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.Test;

class BlockTest {
    private static final int N = 5;
    private static final int D = 8;

    private static Block block(LayerContext context, double dropPathRate) {
        Block block = new Block(context, "blocks.0", D, 2, new Mlp(context, "blocks.0.mlp", D, 16, true), 1e-5f,
                dropPathRate, true, true);
        long seed = 60;
        for (Parameter p : block.parameters()) {
            NnTesting.fillRandom(p.value(), seed++, 0.5);
        }
        return block;
    }

    @Test
    void parametersFollowTheDinov2Keys() {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            Block block = block(NnTesting.f64(backend, arena), 0);
            assertThat(block.parameters()).extracting(Parameter::name).containsExactly(
                    "blocks.0.norm1.weight", "blocks.0.norm1.bias", "blocks.0.attn.qkv.weight", "blocks.0.attn.qkv.bias",
                    "blocks.0.attn.proj.weight", "blocks.0.attn.proj.bias", "blocks.0.ls1.gamma",
                    "blocks.0.norm2.weight", "blocks.0.norm2.bias", "blocks.0.mlp.fc1.weight", "blocks.0.mlp.fc1.bias",
                    "blocks.0.mlp.fc2.weight", "blocks.0.mlp.fc2.bias", "blocks.0.ls2.gamma");
        }
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        check(0, 2, null);
    }

    @Test
    void stochasticDepthBackwardMatchesFiniteDifferencesForAFixedSubset() {
        // rate 0.5 on 4 samples keeps max(int(4 * 0.5), 1) = 2 per branch
        check(0.5, 4, new int[][] {{2, 0}, {1, 2}});
    }

    private static void check(double rate, int batch, int[][] subsets) {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            LayerContext context = NnTesting.f64(backend, arena);
            Block block = block(context, rate);
            Block.Buffers buffers = block.newBuffers(context, batch, N, true,
                    block.newScratch(context, batch, N, true));
            if (subsets != null) {
                assertThat(buffers.keptSamples()).isEqualTo(2);
                buffers.setSubsets(subsets[0], subsets[1]);
            }
            Tensor x = random(arena, 1, 1, batch * N, D);
            Tensor w = random(arena, 2, 1, batch * N, D);
            Tensor out = arena.allocate(DType.F64, batch * N, D);
            block.forward(buffers, x, out);
            Tensor dStream = arena.allocate(DType.F64, batch * N, D);
            backend.copy(w, dStream);
            block.backward(buffers, x, dStream);
            DoubleSupplier loss = () -> {
                block.forward(buffers, x, out);
                return dot(out, w);
            };
            assertGradient("x", x, dStream, loss);
            for (Parameter p : block.parameters()) {
                assertGradient(p.name(), p.value(), p.grad(), loss);
            }
            if (subsets != null) {
                // sample 3 is in neither subset: it passes through untouched
                block.forward(buffers, x, out);
                for (int i = 3 * N * D; i < 4 * N * D; i++) {
                    assertThat(out.getFlat(i)).isEqualTo(x.getFlat(i));
                }
            }
        }
    }

    @Test
    void subsetResidualIsScaledByBatchOverKept() {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            LayerContext context = NnTesting.f64(backend, arena);
            Block full = block(context, 0);
            Block dropping = block(context, 0.5);
            // no FFN branch: out - x is then the attention branch alone
            for (Block b : List.of(full, dropping)) {
                backend.fill(Parameters.named(b.parameters(), "blocks.0.ls2.gamma").value(), 0f);
            }
            int batch = 4;
            Tensor x = random(arena, 5, 1, batch * N, D);
            Tensor outFull = arena.allocate(DType.F64, batch * N, D);
            Tensor outDrop = arena.allocate(DType.F64, batch * N, D);
            full.forward(full.newBuffers(context, batch, N, false, full.newScratch(context, batch, N, false)), x,
                    outFull);
            Block.Buffers buffers = dropping.newBuffers(context, batch, N, true,
                    dropping.newScratch(context, batch, N, true));
            buffers.setSubsets(new int[] {3, 1}, new int[] {0, 1});
            dropping.forward(buffers, x, outDrop);
            for (int sample = 0; sample < batch; sample++) {
                double factor = sample == 3 || sample == 1 ? 2.0 : 0.0;
                for (int i = sample * N * D; i < (sample + 1) * N * D; i++) {
                    double residualFull = outFull.getFlat(i) - x.getFlat(i);
                    // the same double arithmetic on fewer samples, then one multiplication by 2
                    assertThat(outDrop.getFlat(i) - x.getFlat(i)).isCloseTo(factor * residualFull,
                            Offset.offset(1e-12));
                }
            }
        }
    }

    @Test
    void subsetSamplingDrawsDistinctIndices() {
        int[] permutation = new int[10];
        int[] subset = new int[7];
        SplittableRandom rng = new SplittableRandom(3);
        for (int round = 0; round < 50; round++) {
            StochasticDepth.sample(rng, 10, permutation, subset);
            assertThat(subset).doesNotHaveDuplicates();
            assertThat(java.util.Arrays.stream(subset).allMatch(i -> i >= 0 && i < 10)).isTrue();
        }
        assertThat(StochasticDepth.keptSamples(64, 0.3)).isEqualTo(44);
        assertThat(StochasticDepth.keptSamples(1, 0.4)).isEqualTo(1);
    }
}
