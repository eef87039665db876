package org.dinoj.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StridedSubsetTest {
    private final Dataset whole = Datasets.open("synthetic:100:8x8:10", Split.TRAIN);

    @Test
    void everyNthImageWithItsOwnLabelPixelsAndSource() throws Exception {
        Dataset subset = StridedSubset.of(whole, 25);
        assertThat(subset.size()).isEqualTo(25);
        assertThat(subset.numClasses()).isEqualTo(10);
        for (int i = 0; i < 25; i++) {
            assertThat(subset.label(i)).isEqualTo(whole.label(4 * i));
            assertThat(subset.image(i).pixels()).isEqualTo(whole.image(4 * i).pixels());
            assertThat(subset.source(i)).isEqualTo(whole.source(4 * i));
        }
        assertThat(subset.describe()).startsWith("25 of ");
    }

    @Test
    void aStrideThatDoesNotDivideSpreadsOverTheWholeSet() {
        Dataset subset = StridedSubset.of(whole, 30);
        assertThat(subset.label(29)).isEqualTo(whole.label(96)); // 29 * 100 / 30
        assertThat(subset.source(1)).isEqualTo(whole.source(3));
    }

    @Test
    void noneOrAllIsTheWholeSetAndMoreIsRefused() {
        assertThat(StridedSubset.of(whole, 0)).isSameAs(whole);
        assertThat(StridedSubset.of(whole, 100)).isSameAs(whole);
        assertThat(StridedSubset.of(whole, 500)).isSameAs(whole);
        assertThatThrownBy(() -> new StridedSubset(whole, 101)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 1 and 100");
    }
}
