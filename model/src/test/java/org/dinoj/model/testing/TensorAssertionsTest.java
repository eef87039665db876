package org.dinoj.model.testing;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TensorAssertionsTest {

    @Test
    void reportsTheWorstElementAndMaxErrors() {
        try (HostArena arena = new HostArena()) {
            Tensor expected = arena.f32(2, 2).copyFrom(new float[] {1, 2, 3, 4});
            Tensor actual = arena.f32(2, 2).copyFrom(new float[] {1, 2, 3.5f, 4.001f});
            // 4.001 vs 4 is within 1e-3 relative (allowed 4e-3), 3.5 vs 3 is not.
            assertThatThrownBy(() -> TensorAssertions.assertClose("sum", actual, expected, Tolerance.relative(1e-3)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("1 of 4 elements")
                    .hasMessageContaining("worst at [1, 0]")
                    .hasMessageContaining("max abs error 0.500")
                    .hasMessageContaining("max rel error 0.167");
        }
    }

    @Test
    void scaleWidensTheToleranceWhereTermsCancelled() {
        try (HostArena arena = new HostArena()) {
            Tensor expected = arena.f32(1).copyFrom(new float[] {0});
            Tensor actual = arena.f32(1).copyFrom(new float[] {1e-6f});
            assertThatThrownBy(() -> TensorAssertions.assertClose("dot", actual, expected, Tolerance.relative(1e-5)))
                    .isInstanceOf(AssertionError.class);
            assertThatCode(() -> TensorAssertions.assertClose("dot", actual, expected, Tolerance.relative(1e-5),
                    new double[] {1})).doesNotThrowAnyException();
        }
    }

    @Test
    void nanMatchesOnlyNan() {
        try (HostArena arena = new HostArena()) {
            Tensor nan = arena.f32(1).copyFrom(new float[] {Float.NaN});
            Tensor one = arena.f32(1).copyFrom(new float[] {1});
            assertThatCode(() -> TensorAssertions.assertClose("nan", nan, nan, Tolerance.EXACT)).doesNotThrowAnyException();
            assertThatThrownBy(() -> TensorAssertions.assertClose("nan", nan, one, Tolerance.relative(1)))
                    .isInstanceOf(AssertionError.class);
        }
    }
}
