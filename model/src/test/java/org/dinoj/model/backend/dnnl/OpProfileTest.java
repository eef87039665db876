package org.dinoj.model.backend.dnnl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OpProfileTest {
    @Test
    void reportListsLabelsByTotalTimeWithCallsAndMeans() {
        OpProfile profile = new OpProfile();
        OpProfile.Entry small = profile.entry("BINARY [jit:uni]");
        OpProfile.Entry large = profile.entry("MATMUL [brg_matmul]");
        small.add(1_000_000);
        small.add(3_000_000);
        large.add(12_000_000);

        String[] lines = profile.report().split("\n");

        assertThat(lines[1]).contains("MATMUL [brg_matmul]").contains("12.0").contains("75.0%");
        // 2 calls, 4 ms in all, a mean of 2000 us.
        assertThat(lines[2]).contains("BINARY [jit:uni]").contains(" 2 ").contains("4.0").contains("2000.0");
        assertThat(lines[3]).contains("16.0");
    }

    @Test
    void entriesAreSharedByLabelAndResetDropsThemFromTheReport() {
        OpProfile profile = new OpProfile();
        assertThat(profile.entry("FILL [java]")).isSameAs(profile.entry("FILL [java]"));
        profile.entry("FILL [java]").add(5);
        profile.reset();
        assertThat(profile.report()).doesNotContain("FILL");
    }
}
