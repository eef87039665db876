package org.dinoj.worker.cli;

import org.dinoj.worker.ErrorSentences;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code dinoj} command line: the only place that prints to stdout. */
@Command(name = "dinoj",
        mixinStandardHelpOptions = true,
        version = "dinoj 0.1.0",
        description = "DINOv2 self-supervised pretraining on the JVM.",
        subcommands = {
                BenchCommand.class,
                PretrainCommand.class,
                JobsCommand.class,
                ServerCommand.class,
                WorkerCommand.class,
                EvalCommand.class,
                ApiCommand.class,
                ScheduleCommand.class,
                ExportCommand.class,
                ImportCommand.class,
        })
public final class DinojCli implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /**
     * gRPC reports a Temporal address that does not resolve through java.util.logging, a stack trace
     * on stderr before dinoj's own sentence about it; the SDK's pollers still log such failures.
     * Held here: java.util.logging keeps loggers only weakly.
     */
    private static final java.util.logging.Logger GRPC_CHANNEL_LOG =
            java.util.logging.Logger.getLogger("io.grpc.internal.ManagedChannelImpl");

    public static void main(String[] args) {
        GRPC_CHANNEL_LOG.setLevel(java.util.logging.Level.SEVERE);
        CommandLine cli = commandLine();
        int status = cli.execute(args);
        System.exit(outputLost(cli) ? Math.max(status, 1) : status);
    }

    /**
     * Whether what the command printed failed to reach its standard output (a file on a full disk,
     * a closed pipe): a printed result that was lost must not exit 0. Print streams keep such errors
     * to themselves; this says so on stderr.
     */
    static boolean outputLost(CommandLine cli) {
        boolean lost = cli.getOut().checkError() | System.out.checkError();
        if (lost) {
            System.err.println("dinoj: the output could not be written to standard output (a full disk, or a closed"
                    + " pipe): it is incomplete");
        }
        return lost;
    }

    /** The command line as {@code main} runs it: user errors as one sentence on stderr, exit status 1. */
    public static CommandLine commandLine() {
        return new CommandLine(new DinojCli()).setExecutionExceptionHandler(DinojCli::reportError);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** A user error is one sentence on stderr, not a stack trace; set DINOJ_DEBUG=1 for the trace. */
    static int reportError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        if (debugRequested(System.getenv("DINOJ_DEBUG"))) {
            e.printStackTrace(cmd.getErr());
        }
        cmd.getErr().println("dinoj: " + ErrorSentences.of(e));
        return 1;
    }

    /** DINOJ_DEBUG asks for stack traces when set, unless it is empty, 0, false, no or off. */
    static boolean debugRequested(String value) {
        return value != null && !java.util.Set.of("", "0", "false", "no", "off").contains(value.strip().toLowerCase(java.util.Locale.ROOT));
    }
}
