package org.dinoj.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The benchmarks without the worker: {@code java -cp <model, bench and their jars>
 * org.dinoj.bench.BenchMain step ...} runs what {@code dinoj bench step ...} runs, for machines that
 * carry only those jars (the GPU bundle of tests/gpu/prepare-gpu-bundle.sh).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Throughput benchmarks.",
        subcommands = {GemmBench.class, AttentionBench.class, StepBench.class, GpuStepBench.class})
public final class BenchMain implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new BenchMain());
        // A failure (no device, a bad option value) is one line, not a stack trace.
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            command.getErr().println("bench " + command.getCommandName() + ": " + e.getMessage());
            return 1;
        });
        System.exit(cli.execute(args));
    }
}
