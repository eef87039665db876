package org.dinoj.tests;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.dinoj.worker.cli.DinojCli;

/**
 * One in-process {@code dinoj} command line as a person runs it ({@link DinojCli#commandLine}): its
 * exit code and what it printed on standard output and standard error, where the commands write
 * (they take {@code System.out} when picocli makes them).
 */
public record CliOutput(int code, String out, String err) {
    public static synchronized CliOutput dinoj(String... args) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        int code;
        try {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
            code = DinojCli.commandLine().execute(args);
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        return new CliOutput(code, printed.toString(StandardCharsets.UTF_8), errors.toString(StandardCharsets.UTF_8));
    }
}
