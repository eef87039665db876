package org.dinoj.worker.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One in-process {@code dinoj} command line: its exit code and what it printed. */
record CliRun(int code, String out, String err) {
    static CliRun dinoj(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new DinojCli())
                .setExecutionExceptionHandler(DinojCli::reportError)
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
