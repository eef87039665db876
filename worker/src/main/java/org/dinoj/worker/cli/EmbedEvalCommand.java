package org.dinoj.worker.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dinoj.model.data.Dataset;
import org.dinoj.model.data.Split;
import org.dinoj.model.eval.EmbeddingExport;
import org.dinoj.model.eval.LabeledFeatures;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dinoj eval embed}: writes the features of each split as {@code SPLIT-features.npy}
 * (float32 {@code [N, D]}) and {@code SPLIT-labels.npy} (int32, -1 where unlabelled), for
 * numpy, scikit-learn or a vector index.
 */
@Command(name = "embed",
        mixinStandardHelpOptions = true,
        description = "Export frozen features of each split as .npy files (features and labels).")
public final class EmbedEvalCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private FeatureOptions input;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the .npy files (created if missing).")
    private Path out;

    @Option(names = "--splits", split = ",", paramLabel = "SPLIT", defaultValue = "train,test",
            description = "Splits to export: train, test (default: ${DEFAULT-VALUE}).")
    private List<String> splits;

    @Override
    public Integer call() throws Exception {
        TrainedModelOptions.refuseCheckpointFolder(out);
        List<Split> chosen = splits.stream().map(name -> Split.parse(name.strip())).toList();
        PrintWriter printer = spec.commandLine().getOut();
        try (FeatureOptions.Extractor extractor = input.openExtractor()) {
            List<Dataset> datasets = chosen.stream().map(input::openDataset).toList();
            // Only once the features and the data are known to open: a refused run leaves no folder behind.
            Files.createDirectories(out);
            for (int i = 0; i < chosen.size(); i++) {
                Split split = chosen.get(i);
                Dataset dataset = datasets.get(i);
                LabeledFeatures features = extractor.extract(dataset);
                String name = split.name().toLowerCase(Locale.ROOT);
                List<Path> files = EmbeddingExport.write(out, name, features);
                printer.printf(Locale.ROOT, "%s: %d x %d %s features of %s -> %s, %s%n", name, features.rows(),
                        features.features().dim(), extractor.name(), dataset.describe(), files.get(0), files.get(1));
            }
        }
        printer.flush();
        return 0;
    }
}
