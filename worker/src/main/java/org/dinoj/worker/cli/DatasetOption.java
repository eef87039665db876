package org.dinoj.worker.cli;

import org.dinoj.model.data.Dataset;
import org.dinoj.model.data.Datasets;
import org.dinoj.model.data.Split;
import picocli.CommandLine.Option;

/** {@code --dataset SPEC} of the {@code dinoj eval} commands. */
final class DatasetOption {
    @Option(names = "--dataset", defaultValue = "fashion-mnist", paramLabel = "SPEC",
            description = "fashion-mnist, idx:DIR, folder:DIR or synthetic:N[:HxW[xC]][:K] (default: ${DEFAULT-VALUE}).")
    String spec;

    Dataset open(Split split) {
        return Datasets.open(spec, split);
    }
}
