package org.dinoj.worker.cli;

import org.dinoj.bench.AttentionBench;
import org.dinoj.bench.GemmBench;
import org.dinoj.bench.GpuStepBench;
import org.dinoj.bench.RecipeTrial;
import org.dinoj.bench.StepBench;
import picocli.CommandLine.Command;

/** {@code dinoj bench ...}: throughput benchmarks (they live in the bench module). */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = "Throughput benchmarks.",
        subcommands = {
                GemmBench.class,
                AttentionBench.class,
                StepBench.class,
                GpuStepBench.class,
                RecipeTrial.class,
        })
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }
}
