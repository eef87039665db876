package org.dinoj.worker.cli;

import org.dinoj.model.data.Dataset;
import org.dinoj.model.data.Datasets;
import org.dinoj.model.data.Split;
import picocli.CommandLine.Option;

/** {@code --dataset SPEC} of the {@code dinoj eval} commands. */
final class DatasetOption {
    /** Without --dataset and without a checkpoint. */
    static final String DEFAULT_SPEC = "fashion-mnist";

    @Option(names = "--dataset", paramLabel = "SPEC",
            description = "fashion-mnist, idx:DIR, folder:DIR or synthetic:N[:HxW[xC]][:K] (default: with --checkpoint,"
                    + " the dataset its job evaluated on; else " + DEFAULT_SPEC + ").")
    private String spec;

    /** The dataset given, else the one the checkpoint's job evaluated on, else {@value #DEFAULT_SPEC}. */
    String spec(TrainedModelOptions model) {
        if (spec == null) {
            spec = model.trainedEvaluationDataset().orElse(DEFAULT_SPEC);
        }
        return spec;
    }

    Dataset open(Split split, TrainedModelOptions model) {
        return Datasets.open(spec(model), split);
    }
}
