package org.dinoj.worker.cli;

import picocli.CommandLine.Command;

/** {@code dinoj eval ...}: evaluation of frozen features. */
@Command(name = "eval",
        mixinStandardHelpOptions = true,
        description = "Evaluate frozen features (k-NN).",
        subcommands = {
                KnnEvalCommand.class,
        })
public final class EvalCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }
}
