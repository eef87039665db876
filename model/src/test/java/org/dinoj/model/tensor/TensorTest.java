package org.dinoj.model.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TensorTest {

    @Test
    void transposeSharesMemoryAndSwapsIndices() {
        try (HostArena arena = new HostArena()) {
            Tensor t = arena.f32(2, 3);
            t.copyFrom(new float[] {1, 2, 3, 4, 5, 6});
            Tensor tt = t.transpose(0, 1);
            assertThat(tt.shape()).containsExactly(3, 2);
            assertThat(tt.isContiguous()).isFalse();
            assertThat(tt.toFloatArray()).containsExactly(1, 4, 2, 5, 3, 6);
            tt.set(9, 2, 1);
            assertThat(t.get(1, 2)).isEqualTo(9);
        }
    }

    @Test
    void sliceViewsARangeWithoutCopying() {
        try (HostArena arena = new HostArena()) {
            Tensor t = arena.f32(4, 3).copyFrom(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
            Tensor rows = t.slice(0, 1, 2);
            assertThat(rows.toFloatArray()).containsExactly(3, 4, 5, 6, 7, 8);
            Tensor col = t.slice(1, 2, 1);
            assertThat(col.toFloatArray()).containsExactly(2, 5, 8, 11);
            assertThatThrownBy(() -> t.slice(0, 3, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void viewInfersOneDimensionAndRefusesStridedData() {
        try (HostArena arena = new HostArena()) {
            Tensor t = arena.f32(2, 3, 4);
            assertThat(t.view(-1, 4).shape()).containsExactly(6, 4);
            assertThatThrownBy(() -> t.transpose(0, 2).view(24)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> t.view(5, -1)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void bf16RoundsToNearestEven() {
        // 1 + 2^-8 lies exactly between two bf16 values (1 and 1 + 2^-7): ties go to the even one, 1.
        assertThat(DType.roundToBf16(1f + 0x1p-8f)).isEqualTo(1f);
        // 1 + 3 * 2^-8 lies between 1 + 2^-7 (odd mantissa) and 1 + 2^-6 (even): rounds up to even.
        assertThat(DType.roundToBf16(1f + 3 * 0x1p-8f)).isEqualTo(1f + 0x1p-6f);
        assertThat(Float.isNaN(DType.roundToBf16(Float.NaN))).isTrue();
        assertThat(DType.roundToBf16(Float.POSITIVE_INFINITY)).isEqualTo(Float.POSITIVE_INFINITY);
    }

    @Test
    void arenaCountsAllocations() {
        long before = HostArena.allocationCount();
        try (HostArena arena = new HostArena()) {
            arena.allocate(DType.BF16, 7, 3);
        }
        assertThat(HostArena.allocationCount()).isEqualTo(before + 1);
    }
}
