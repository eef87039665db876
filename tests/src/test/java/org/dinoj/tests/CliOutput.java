package org.dinoj.tests;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.dinoj.worker.cli.DinojCli;
import picocli.CommandLine;

/**
 * One in-process {@code dinoj} command line as a person runs it: its exit code and what it printed
 * on standard output, where the commands write (they take {@code System.out} when picocli makes them).
 */
public record CliOutput(int code, String out) {
    public static synchronized CliOutput dinoj(String... args) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        int code;
        try {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            code = new CommandLine(new DinojCli()).execute(args);
        } finally {
            System.setOut(stdout);
        }
        return new CliOutput(code, printed.toString(StandardCharsets.UTF_8));
    }
}
