package org.dinoj.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dinoj.model.nn.NnTesting.assertGradient;
import static org.dinoj.model.nn.NnTesting.dot;
import static org.dinoj.model.nn.NnTesting.random;

import java.util.SplittableRandom;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LinearTest {
    @Test
    void forwardIsXTimesWeightTransposedPlusBias() {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            Linear linear = new Linear(NnTesting.f64(backend, arena), "fc", 2, 3, true);
            linear.weight().value().copyFrom(new double[] {1, 2, 3, 4, 5, 6});
            linear.bias().value().copyFrom(new double[] {0.5, -1, 2});
            Tensor x = arena.allocate(org.dinoj.model.tensor.DType.F64, 1, 2).copyFrom(new double[] {1, -1});
            Tensor y = arena.allocate(org.dinoj.model.tensor.DType.F64, 1, 3);
            linear.forward(x, y);
            // [1, -1] . rows [1 2], [3 4], [5 6] = -1, -1, -1; plus bias
            assertThat(y.toDoubleArray()).containsExactly(-0.5, -2, 1);
        }
    }

    @Test
    void backwardMatchesFiniteDifferencesAndAccumulates() {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            Linear linear = new Linear(NnTesting.f64(backend, arena), "fc", 4, 3, true);
            linear.initTruncNormal(new SplittableRandom(1));
            NnTesting.fillRandom(linear.bias().value(), 2, 0.1);
            Tensor x = random(arena, 3, 1, 5, 4);
            Tensor w = random(arena, 4, 1, 5, 3);
            Tensor y = arena.allocate(x.dtype(), 5, 3);
            Tensor dx = arena.allocate(x.dtype(), 5, 4);
            linear.forward(x, y);
            linear.backward(x, w, dx);
            java.util.function.DoubleSupplier loss = () -> {
                linear.forward(x, y);
                return dot(y, w);
            };
            assertGradient("x", x, dx, loss);
            assertGradient("weight", linear.weight().value(), linear.weight().grad(), loss);
            assertGradient("bias", linear.bias().value(), linear.bias().grad(), loss);

            double[] once = linear.weight().grad().toDoubleArray();
            linear.backward(x, w, null);
            double[] twice = linear.weight().grad().toDoubleArray();
            for (int i = 0; i < once.length; i++) {
                assertThat(twice[i]).isCloseTo(2 * once[i], org.assertj.core.data.Offset.offset(1e-12));
            }
        }
    }
}
