package org.dinoj.model.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FiniteDifferenceTest {
    private final HostArena arena = new HostArena();
    private final RandomTensors random = new RandomTensors(3);

    @AfterEach
    void closeArena() {
        arena.close();
    }

    @Test
    void gradientOfSumOfSinesIsCosine() {
        Tensor x = random.normal(arena, DType.F64, 3, 7);
        double[] grad = FiniteDifference.gradient(() -> {
            double sum = 0;
            for (int i = 0; i < 21; i++) {
                sum += Math.sin(x.getFlat(i));
            }
            return sum;
        }, x);
        for (int i = 0; i < 21; i++) {
            // Truncation h^2/6 |sin'''| <= 2e-11 and rounding eps * 21 / h = 5e-10 (see FiniteDifference).
            assertThat(grad[i]).isCloseTo(Math.cos(x.getFlat(i)), within(1e-9));
        }
    }

    @Test
    void gradientCheckPassesACorrectBackwardAndNamesTheInputOfAWrongOne() {
        // y = x * w element-wise: dx = dy * w, dw = dy * x.
        Tensor x = random.normal(arena, DType.F64, 7);
        Tensor w = random.normal(arena, DType.F64, 7);
        Tensor y = arena.allocate(DType.F64, 7);
        Tensor dx = arena.allocate(DType.F64, 7);
        Tensor dw = arena.allocate(DType.F64, 7);
        Runnable forward = () -> {
            for (int i = 0; i < 7; i++) {
                y.setFlat(i, x.getFlat(i) * w.getFlat(i));
            }
        };
        FiniteDifference.of(forward).input("x", x, dx).input("w", w, dw).output(y)
                .backward(dy -> {
                    for (int i = 0; i < 7; i++) {
                        dx.setFlat(i, dy[0].getFlat(i) * w.getFlat(i));
                        dw.setFlat(i, dy[0].getFlat(i) * x.getFlat(i));
                    }
                })
                .check();
        // A backward 1e-4 off in dw only must fail, naming w.
        assertThatThrownBy(() -> FiniteDifference.of(forward).input("x", x, dx).input("w", w, dw).output(y)
                .backward(dy -> {
                    for (int i = 0; i < 7; i++) {
                        dx.setFlat(i, dy[0].getFlat(i) * w.getFlat(i));
                        dw.setFlat(i, dy[0].getFlat(i) * x.getFlat(i) * (1 + 1e-4));
                    }
                })
                .check())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("d loss / d w")
                .hasMessageContaining("max rel error");
    }

    @Test
    void refusesSinglePrecisionInputs() {
        assertThatThrownBy(() -> FiniteDifference.gradient(() -> 0, arena.f32(3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("F64");
    }
}
