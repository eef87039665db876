package org.dinoj.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DinojCliTest {
    @Test
    void debugTracesOnlyWhenAskedFor() {
        assertThat(DinojCli.debugRequested(null)).isFalse();
        assertThat(DinojCli.debugRequested("")).isFalse();
        assertThat(DinojCli.debugRequested("0")).isFalse();
        assertThat(DinojCli.debugRequested(" Off ")).isFalse();
        assertThat(DinojCli.debugRequested("false")).isFalse();
        assertThat(DinojCli.debugRequested("1")).isTrue();
        assertThat(DinojCli.debugRequested("yes")).isTrue();
    }

    @Test
    void aUserErrorIsOneSentenceWithoutATrace() {
        org.junit.jupiter.api.Assumptions.assumeFalse(DinojCli.debugRequested(System.getenv("DINOJ_DEBUG")),
                "DINOJ_DEBUG is set in this environment, so errors print their trace on purpose");
        CliRun run = CliRun.dinoj("eval", "knn", "--dataset", "synthetic:10", "--ks", "0");
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err().strip()).startsWith("dinoj: ").doesNotContain("\n").doesNotContain("\tat ");
    }
}
