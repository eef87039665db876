package org.dinoj.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class RepeatOptionsTest {

    @Test
    void warmsUpThenInterleavesTheTimedRuns() {
        RepeatOptions repeat = parse("--runs", "3", "--warmup", "2");
        List<String> calls = new ArrayList<>();
        double[] medians = repeat.medianSeconds(() -> calls.add("a"), () -> calls.add("b"));
        assertThat(calls).containsExactly("a", "b", "a", "b", "a", "b", "a", "b", "a", "b");
        assertThat(medians).hasSize(2);
        assertThat(medians[0]).isNotNegative();
        assertThat(medians[1]).isNotNegative();
    }

    @Test
    void mediansTheTimedRunsOnly() {
        RepeatOptions repeat = parse("--runs", "3", "--warmup", "1");
        long[] sleeps = {300, 1, 30, 2}; // warm-up 300 ms, then 1, 30 and 2 ms: median about 2 ms
        int[] call = {0};
        double median = repeat.medianSeconds(() -> sleep(sleeps[call[0]++]))[0];
        assertThat(call[0]).isEqualTo(4);
        // At least the middle sleep; far below the warm-up run, which must not count.
        assertThat(median).isBetween(0.002, 0.2);
    }

    @Test
    void medianOfEvenCountAveragesTheMiddlePair() {
        assertThat(Timing.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
        assertThat(Timing.median(new double[] {5, 1, 3})).isEqualTo(3);
    }

    @Test
    void refusesCountsWithoutAMedian() {
        assertThatThrownBy(() -> parse("--runs", "0").medianSeconds(() -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--runs must be at least 1");
        assertThatThrownBy(() -> parse("--warmup", "-1").check())
                .hasMessageContaining("got 10 and -1");
    }

    @Test
    void headerSaysWhatRan() {
        assertThat(parse("--runs", "5", "--warmup", "1").header("gemm", 2))
                .isEqualTo("gemm: median of 5 runs after 1 warm-up runs, 2 threads");
    }

    private static RepeatOptions parse(String... args) {
        Holder holder = new Holder();
        new CommandLine(holder).parseArgs(args);
        return holder.repeat;
    }

    @CommandLine.Command(name = "holder")
    static final class Holder {
        @CommandLine.Mixin
        RepeatOptions repeat;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
