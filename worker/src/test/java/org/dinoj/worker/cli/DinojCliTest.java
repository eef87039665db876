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
        assertThat(run.err().strip()).isEqualTo("dinoj: --ks 0: every k must be at least 1 (e.g. --ks 10,20,100,200)");
        CliRun cold = CliRun.dinoj("eval", "knn", "--dataset", "synthetic:10", "--temperature", "0");
        assertThat(cold.code()).isEqualTo(1);
        assertThat(cold.err().strip()).isEqualTo("dinoj: --temperature 0.0 must be a number above 0 (dinov2: 0.07)");
    }

    /** The JDK's file-system exceptions carry only a path: the sentence says what is wrong with it. */
    @Test
    void fileSystemErrorsSayWhatIsWrongWithThePath(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        assertThat(org.dinoj.worker.ErrorSentences.of(new java.nio.file.AccessDeniedException("/proc/x")))
                .isEqualTo("/proc/x: permission denied (or a read-only file system)");
        assertThat(org.dinoj.worker.ErrorSentences.of(new java.nio.file.NoSuchFileException("/data/a.safetensors")))
                .isEqualTo("/data/a.safetensors: no such file or folder");
        assertThat(org.dinoj.worker.ErrorSentences.of(new java.nio.file.FileSystemException("/mnt/x", null, "Read-only file system")))
                .isEqualTo("/mnt/x: Read-only file system");
        assertThat(org.dinoj.worker.ErrorSentences.of(new java.nio.file.NoSuchFileException("/x is not a directory: pass a checkpoint")))
                .isEqualTo("/x is not a directory: pass a checkpoint");
        assertThat(org.dinoj.worker.ErrorSentences.of(new java.io.UncheckedIOException(new java.io.IOException("disk full"))))
                .isEqualTo("java.io.IOException: disk full");
        assertThat(org.dinoj.worker.ErrorSentences.of(new RuntimeException(null, new java.nio.file.NotDirectoryException("/a/b"))))
                .isEqualTo("/a/b: a part of the path is a file, not a folder");

        // As a command meets one: an output folder under a file.
        java.nio.file.Path file = dir.resolve("notes.txt");
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> java.nio.file.Files.writeString(file, "x"));
        CliRun run = CliRun.dinoj("eval", "embed", "--features", "raw-pixels", "--dataset", "synthetic:10:8x8:2",
                "--out", file.resolve("out").toString());
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err().strip()).startsWith("dinoj: " + file.resolve("out")).doesNotContain("\n");
    }

    @Test
    void outputThatCouldNotBeWrittenIsSaidAndFailsTheCommand() {
        picocli.CommandLine cli = DinojCli.commandLine();
        java.io.OutputStream full = new java.io.OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                throw new java.io.IOException("No space left on device");
            }
        };
        cli.setOut(new java.io.PrintWriter(full, true));
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stderr = System.err;
        try {
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            assertThat(DinojCli.outputLost(cli)).as("nothing printed yet").isFalse();
            cli.getOut().println("{\"k\": 20}");
            assertThat(DinojCli.outputLost(cli)).isTrue();
        } finally {
            System.setErr(stderr);
        }
        assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("dinoj: the output could not be"
                + " written to standard output (a full disk, or a closed pipe): it is incomplete\n");
    }
}
