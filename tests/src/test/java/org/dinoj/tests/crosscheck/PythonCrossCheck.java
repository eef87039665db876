package org.dinoj.tests.crosscheck;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the Python side of a cross-check (tests/crosscheck/*.py) in the environment that
 * tests/crosscheck/setup-venv.sh prepared. Nothing is installed here: without that environment the
 * calling test is skipped, with the reason printed.
 */
final class PythonCrossCheck {
    private static final Logger LOG = LoggerFactory.getLogger(PythonCrossCheck.class);
    /** Generous for 2 shared cores: the slowest script (ViT-S forward in f32 and f64) takes ~20 s. */
    private static final long TIMEOUT_SECONDS = 600;

    private PythonCrossCheck() {
    }

    static Path venv() {
        String configured = System.getenv("DINOJ_CROSSCHECK_VENV");
        return configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "dinoj", "crosscheck-venv");
    }

    /** The venv's python, or a skipped test when setup-venv.sh has not prepared it. */
    static Path pythonOrSkip() {
        Path venv = venv();
        Path python = venv.resolve("bin").resolve("python");
        boolean ready = Files.isExecutable(python) && Files.exists(venv.resolve(".dinoj-crosscheck-ready"));
        if (!ready) {
            String reason = "PyTorch cross-check skipped: no prepared environment at " + venv
                    + " (run tests/crosscheck/setup-venv.sh, or set DINOJ_CROSSCHECK_VENV)";
            System.err.println(reason); // surefire shows this beside the skip; the reason must not hide in a log
            Assumptions.abort(reason);
        }
        return python;
    }

    /** Directory of the Python scripts: the module's {@code crosscheck/} folder. */
    static Path scripts() {
        Path dir = Path.of("crosscheck").toAbsolutePath();
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("cross-check scripts not found at " + dir + ": run the tests from the "
                    + "tests module directory (Maven does)");
        }
        return dir;
    }

    /** Runs {@code script} with {@code args}; fails with the script's output when it exits non-zero. */
    static void run(String script, String... args) throws IOException, InterruptedException {
        Path python = pythonOrSkip();
        List<String> command = new ArrayList<>();
        command.add(python.toString());
        command.add(scripts().resolve(script).toString());
        command.addAll(List.of(args));
        Path log = Files.createTempFile("crosscheck-" + script, ".log");
        try {
            Process process = new ProcessBuilder(command).directory(scripts().toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(script + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue()
                        + ":\n" + output);
            }
            LOG.debug("{} output:\n{}", script, output);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
