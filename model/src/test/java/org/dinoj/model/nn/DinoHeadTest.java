package org.dinoj.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dinoj.model.nn.NnTesting.assertGradient;
import static org.dinoj.model.nn.NnTesting.dot;
import static org.dinoj.model.nn.NnTesting.random;

import java.util.Arrays;
import java.util.function.DoubleSupplier;
import org.assertj.core.data.Offset;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.Test;

class DinoHeadTest {
    /** in 8, K 6 prototypes, 3 layers, hidden 10, bottleneck 4. */
    private static final DinoHeadConfig CONFIG = new DinoHeadConfig(8, 6, 3, 10, 4, 1e-12f);

    @Test
    void keysShapesAndInitFollowDinov2() {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            DinoHead head = new DinoHead(NnTesting.f64(backend, arena), CONFIG, 1);
            assertThat(head.parameters()).extracting(Parameter::name).containsExactly(
                    "mlp.0.weight", "mlp.0.bias", "mlp.2.weight", "mlp.2.bias", "mlp.4.weight", "mlp.4.bias",
                    "last_layer.weight_g", "last_layer.weight_v");
            Tensor g = Parameters.named(head.parameters(), "last_layer.weight_g").value();
            Tensor v = Parameters.named(head.parameters(), "last_layer.weight_v").value();
            assertThat(g.shape()).containsExactly(6, 1);
            assertThat(v.shape()).containsExactly(6, 4);
            assertThat(g.toDoubleArray()).containsOnly(1.0);
            // nn.Linear default on a 4-wide input: U(-1/2, 1/2)
            assertThat(Arrays.stream(v.toDoubleArray()).allMatch(x -> Math.abs(x) <= 0.5)).isTrue();
            assertThat(Parameters.named(head.parameters(), "mlp.4.bias").value().toDoubleArray()).containsOnly(0.0);

            DinoHead single = new DinoHead(NnTesting.f64(backend, arena),
                    new DinoHeadConfig(8, 6, 1, 10, 4, 1e-12f), 1);
            assertThat(single.parameters()).extracting(Parameter::name)
                    .containsExactly("mlp.weight", "mlp.bias", "last_layer.weight_g", "last_layer.weight_v");
        }
    }

    @Test
    void logitsAreTheWeightNormalisedPrototypesTimesTheUnitBottleneck() {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            DinoHead head = new DinoHead(NnTesting.f64(backend, arena), CONFIG, 1);
            Tensor g = Parameters.named(head.parameters(), "last_layer.weight_g").value();
            NnTesting.fillRandom(g, 5, 1);
            Tensor v = Parameters.named(head.parameters(), "last_layer.weight_v").value();
            Tensor x = random(arena, 2, 1, 3, 8);
            DinoHead.Output out = head.forward(x);
            Tensor z = out.normalizedBottleneck();
            for (int r = 0; r < 3; r++) {
                double norm = 0;
                for (int j = 0; j < 4; j++) {
                    norm += z.get(r, j) * z.get(r, j);
                }
                assertThat(Math.sqrt(norm)).isCloseTo(1.0, Offset.offset(1e-12));
                for (int k = 0; k < 6; k++) {
                    double vNorm = 0;
                    double dotZv = 0;
                    for (int j = 0; j < 4; j++) {
                        vNorm += v.get(k, j) * v.get(k, j);
                        dotZv += z.get(r, j) * v.get(k, j);
                    }
                    double expected = g.get(k, 0) * dotZv / Math.sqrt(vNorm);
                    assertThat(out.logits().get(r, k)).isCloseTo(expected, Offset.offset(1e-12));
                }
            }
        }
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            DinoHead head = new DinoHead(NnTesting.f64(backend, arena), CONFIG, 1);
            long seed = 30;
            for (Parameter p : head.parameters()) {
                NnTesting.fillRandom(p.value(), seed++, 0.7);
            }
            Tensor x = random(arena, 2, 1, 5, 8);
            Tensor w = random(arena, 3, 1, 5, 6);
            DinoHead.Output out = head.forward(x);
            Tensor dx = head.backward(out, w);
            DoubleSupplier loss = () -> dot(head.forward(x).logits(), w);
            assertGradient("x", x, dx, loss);
            for (Parameter p : head.parameters()) {
                assertGradient(p.name(), p.value(), p.grad(), loss);
            }
        }
    }

    @Test
    void l2NormalisationBackwardMatchesFiniteDifferencesAndTheClampedBranch() {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            Tensor x = random(arena, 1, 1, 3, 5);
            Tensor y = arena.allocate(DType.F64, 3, 5);
            Tensor norm = arena.allocate(DType.F64, 3);
            Tensor w = random(arena, 2, 1, 3, 5);
            Tensor dx = arena.allocate(DType.F64, 3, 5);
            backend.l2NormalizeForward(x, 1e-12f, y, norm);
            backend.l2NormalizeBackward(y, norm, 1e-12f, w, dx);
            assertGradient("x", x, dx, () -> {
                backend.l2NormalizeForward(x, 1e-12f, y, norm);
                return dot(y, w);
            });
            // a row below eps is divided by eps: y = x / eps, dx = dy / eps
            Tensor tiny = arena.allocate(DType.F64, 1, 2).copyFrom(new double[] {1e-4, 0});
            Tensor tinyY = arena.allocate(DType.F64, 1, 2);
            Tensor tinyNorm = arena.allocate(DType.F64, 1);
            backend.l2NormalizeForward(tiny, 1e-2f, tinyY, tinyNorm);
            assertThat(tinyY.get(0, 0)).isCloseTo(1e-4 / 1e-2f, Offset.offset(1e-12));
            Tensor dy = arena.allocate(DType.F64, 1, 2).copyFrom(new double[] {1, 2});
            Tensor tinyDx = arena.allocate(DType.F64, 1, 2);
            backend.l2NormalizeBackward(tinyY, tinyNorm, 1e-2f, dy, tinyDx);
            assertThat(tinyDx.toDoubleArray()).containsExactly(1 / (double) 1e-2f, 2 / (double) 1e-2f);
        }
    }
}
