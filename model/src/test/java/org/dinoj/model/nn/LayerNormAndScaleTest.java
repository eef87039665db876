package org.dinoj.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dinoj.model.nn.NnTesting.assertGradient;
import static org.dinoj.model.nn.NnTesting.dot;
import static org.dinoj.model.nn.NnTesting.random;

import java.util.function.DoubleSupplier;
import org.assertj.core.data.Offset;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LayerNormAndScaleTest {
    @Test
    void layerNormBackwardMatchesFiniteDifferences() {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            LayerContext context = NnTesting.f64(backend, arena);
            LayerNorm norm = new LayerNorm(context, "norm", 8, LayerNorm.DINOV2_EPS);
            Parameter weight = Parameters.named(norm.parameters(), "norm.weight");
            Parameter bias = Parameters.named(norm.parameters(), "norm.bias");
            NnTesting.fillRandom(weight.value(), 1, 1);
            NnTesting.fillRandom(bias.value(), 2, 1);
            Tensor x = random(arena, 3, 2, 6, 8);
            Tensor w = random(arena, 4, 1, 6, 8);
            Tensor y = arena.allocate(DType.F64, 6, 8);
            Tensor dx = arena.allocate(DType.F64, 6, 8);
            LayerNorm.Statistics stats = LayerNorm.newStatistics(context, 6);
            norm.forward(x, y, stats);
            norm.backward(x, stats, w, dx);
            DoubleSupplier loss = () -> {
                norm.forward(x, y, stats);
                return dot(y, w);
            };
            assertGradient("x", x, dx, loss);
            assertGradient("weight", weight.value(), weight.grad(), loss);
            assertGradient("bias", bias.value(), bias.grad(), loss);
        }
    }

    @Test
    void layerScaleMultipliesEachChannelByGamma() {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            LayerScale ls = new LayerScale(NnTesting.f64(backend, arena), "blocks.0.ls1", 3, 1e-5f);
            assertThat(ls.gamma().name()).isEqualTo("blocks.0.ls1.gamma");
            assertThat(ls.gamma().value().toDoubleArray()).containsOnly((double) 1e-5f);
            ls.gamma().value().copyFrom(new double[] {2, -1, 0.5});
            Tensor x = arena.allocate(DType.F64, 2, 3).copyFrom(new double[] {1, 2, 3, 4, 5, 6});
            Tensor y = arena.allocate(DType.F64, 2, 3);
            ls.forward(x, y);
            assertThat(y.toDoubleArray()).containsExactly(2, -2, 1.5, 8, -5, 3);
        }
    }

    @Test
    void layerScaleBackwardMatchesFiniteDifferences() {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            LayerScale ls = new LayerScale(NnTesting.f64(backend, arena), "ls", 8, 1e-5f);
            NnTesting.fillRandom(ls.gamma().value(), 1, 1);
            Tensor x = random(arena, 2, 1, 5, 8);
            Tensor w = random(arena, 3, 1, 5, 8);
            Tensor y = arena.allocate(DType.F64, 5, 8);
            Tensor dx = arena.allocate(DType.F64, 5, 8);
            Tensor product = arena.allocate(DType.F64, 5, 8);
            ls.backward(x, w, dx, product);
            DoubleSupplier loss = () -> {
                ls.forward(x, y);
                return dot(y, w);
            };
            assertGradient("x", x, dx, loss);
            assertGradient("gamma", ls.gamma().value(), ls.gamma().grad(), loss);
            // in place (dx == dy) gives the same input gradient
            Tensor dyCopy = arena.allocate(DType.F64, 5, 8);
            backend.copy(w, dyCopy);
            ls.backward(x, dyCopy, dyCopy, product);
            for (long i = 0; i < dx.numel(); i++) {
                assertThat(dyCopy.getFlat(i)).isCloseTo(dx.getFlat(i), Offset.offset(1e-15));
            }
        }
    }
}
