package org.dinoj.worker.cli;

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
        System.exit(commandLine().execute(args));
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
        cmd.getErr().println("dinoj: " + sentence(e));
        return 1;
    }

    /**
     * The exception as a sentence. The JDK's file-system exceptions carry only the path (and an
     * errno text for some): "/proc/x" alone says neither what went wrong nor what to do.
     */
    static String sentence(Throwable e) {
        // dinoj's own sentences travel in the file field too (new NoSuchFileException(sentence)): left as they are.
        if (e instanceof java.nio.file.FileSystemException f && f.getFile() != null && !f.getFile().contains(" ")) {
            String what = switch (f) {
                case java.nio.file.NoSuchFileException n -> "no such file or folder";
                case java.nio.file.AccessDeniedException a -> "permission denied (or a read-only file system)";
                case java.nio.file.FileAlreadyExistsException x -> "it already exists";
                case java.nio.file.NotDirectoryException d -> "a part of the path is a file, not a folder";
                case java.nio.file.DirectoryNotEmptyException d -> "the folder is not empty";
                default -> f.getReason() != null ? f.getReason() : f.getClass().getSimpleName();
            };
            return f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "") + ": " + what;
        }
        if (e.getMessage() == null || e.getMessage().isBlank()) {
            return e.getCause() != null && e.getCause() != e ? sentence(e.getCause()) : e.toString();
        }
        return e.getMessage();
    }

    /** DINOJ_DEBUG asks for stack traces when set, unless it is empty, 0, false, no or off. */
    static boolean debugRequested(String value) {
        return value != null && !java.util.Set.of("", "0", "false", "no", "off").contains(value.strip().toLowerCase(java.util.Locale.ROOT));
    }
}
