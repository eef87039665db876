package org.dinoj.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dinoj.model.nn.NnTesting.assertGradient;
import static org.dinoj.model.nn.NnTesting.dot;
import static org.dinoj.model.nn.NnTesting.random;

import java.util.function.DoubleSupplier;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.Test;

class FeedForwardTest {
    @Test
    void swigluHiddenWidthFollowsDinov2Rounding() {
        // (int(h * 2 / 3) + 7) // 8 * 8: ViT-g 6144 -> 4096, ViT-S 1536 -> 1024, 32 -> 24, 100 -> 72
        assertThat(SwiGluFfn.roundedHidden(6144)).isEqualTo(4096);
        assertThat(SwiGluFfn.roundedHidden(1536)).isEqualTo(1024);
        assertThat(SwiGluFfn.roundedHidden(32)).isEqualTo(24);
        assertThat(SwiGluFfn.roundedHidden(100)).isEqualTo(72);
    }

    @Test
    void mlpBackwardMatchesFiniteDifferences() {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            LayerContext context = NnTesting.f64(backend, arena);
            check(context, arena, new Mlp(context, "mlp", 8, 32, true));
        }
    }

    @Test
    void swigluBackwardMatchesFiniteDifferences() {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            LayerContext context = NnTesting.f64(backend, arena);
            SwiGluFfn ffn = new SwiGluFfn(context, "mlp", 8, 32, true);
            assertThat(ffn.parameters()).extracting(Parameter::name)
                    .containsExactly("mlp.w12.weight", "mlp.w12.bias", "mlp.w3.weight", "mlp.w3.bias");
            assertThat(ffn.parameters().get(0).value().shape()).containsExactly(48, 8);
            check(context, arena, ffn);
        }
    }

    private static void check(LayerContext context, HostArena arena, FeedForward ffn) {
        long seed = 40;
        for (Parameter p : ffn.parameters()) {
            NnTesting.fillRandom(p.value(), seed++, 0.5);
        }
        int rows = 6;
        Tensor x = random(arena, 1, 1, rows, 8);
        Tensor w = random(arena, 2, 1, rows, 8);
        Tensor y = arena.allocate(DType.F64, rows, 8);
        Tensor dx = arena.allocate(DType.F64, rows, 8);
        FeedForward.Buffers buffers = ffn.newBuffers(context, rows, ffn.newScratch(context, rows));
        ffn.forward(buffers, x, y);
        ffn.backward(buffers, x, w, dx);
        DoubleSupplier loss = () -> {
            ffn.forward(buffers, x, y);
            return dot(y, w);
        };
        assertGradient("x", x, dx, loss);
        for (Parameter p : ffn.parameters()) {
            assertGradient(p.name(), p.value(), p.grad(), loss);
        }
    }
}
