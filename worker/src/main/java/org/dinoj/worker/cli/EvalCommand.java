package org.dinoj.worker.cli;

import picocli.CommandLine.Command;

/** {@code dinoj eval ...}: evaluation of frozen features. */
@Command(name = "eval",
        mixinStandardHelpOptions = true,
        description = "Evaluate frozen features: k-NN, linear probe, .npy export, attention maps.",
        subcommands = {
                KnnEvalCommand.class,
                LinearEvalCommand.class,
                EmbedEvalCommand.class,
                AttentionEvalCommand.class,
        })
public final class EvalCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }
}
