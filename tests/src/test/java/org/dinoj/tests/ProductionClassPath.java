package org.dinoj.tests;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dinoj.worker.cli.DinojCli;
import org.dinoj.worker.supervise.WorkerSupervisor;

/**
 * The class path of a dinoj JVM as a user runs it: the tests' class path without the worker
 * module's test jar, whose toy training session (registered with a higher priority) would
 * otherwise stand in for DINOv2 in every process these tests start.
 */
public final class ProductionClassPath {
    private ProductionClassPath() {}

    /** {@link WorkerSupervisor#javaCommand} for {@code mainClassAndArgs}, on the production class path. */
    public static List<String> javaCommand(List<String> mainClassAndArgs) {
        List<String> command = new ArrayList<>(WorkerSupervisor.javaCommand(mainClassAndArgs));
        int cp = command.indexOf("-cp");
        command.set(cp + 1, of(command.get(cp + 1)));
        return command;
    }

    /**
     * Starts {@code dinoj ARGS} as a user runs it, in its own JVM on the production class path, in
     * {@code workingDirectory}, with its output and errors in {@code log}.
     */
    public static Process startDinoj(Path workingDirectory, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(DinojCli.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(javaCommand(command)).directory(workingDirectory.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    /**
     * Waits up to {@code limit} for {@code pattern} in the output of a command {@link #startDinoj}
     * started; fails with that output when it does not come.
     */
    public static Matcher awaitOutput(Path log, Pattern pattern, Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = pattern.matcher(Files.exists(log) ? Files.readString(log) : "");
            if (m.find()) {
                return m;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + pattern + "' in the output within " + limit + ":\n" + Files.readString(log));
    }

    /** The class path without the worker module's test classes (the toy session and its registration). */
    public static String of(String classPath) {
        List<String> kept = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            String e = entry.replace('\\', '/');
            // The worker's test-jar is worker/target/dinoj-tests.jar (the module's final name is dinoj).
            if (e.endsWith("worker/target/test-classes") || e.endsWith("worker/target/test-classes/")
                    || e.matches(".*/worker/target/[^/]*-tests\\.jar") || e.matches(".*dinoj-worker-[^/]*-tests\\.jar")) {
                continue;
            }
            kept.add(entry);
        }
        for (String e : kept) {
            if (e.replace('\\', '/').matches(".*worker/target/[^/]*test[^/]*")) {
                // Keeping the toy session would make a "DINOv2" harness run test the toy, silently.
                throw new IllegalStateException("class path entry " + e + " looks like the worker's test classes but"
                        + " was not removed; ProductionClassPath.of must learn its name");
            }
        }
        return String.join(File.pathSeparator, kept);
    }
}
