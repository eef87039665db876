package org.dinoj.worker.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dinoj.model.data.Dataset;
import org.dinoj.model.data.ImageFolderDataset;
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
 * (float32 {@code [N, D]}), {@code SPLIT-labels.npy} (int32, -1 where unlabelled) and
 * {@code SPLIT-files.txt} (row i's image), for numpy, scikit-learn or a vector index.
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
                String name = split.name().toLowerCase(Locale.ROOT);
                int same = firstSame(datasets, i);
                if (same >= 0) {
                    // A folder without train/ and test/ serves every split from its one set of images.
                    printer.printf(Locale.ROOT, "%s: the same images as %s (%s has no separate %s split): not written"
                            + " again%n", name, chosen.get(same).name().toLowerCase(Locale.ROOT), dataset.describe(), name);
                    continue;
                }
                // Damaged images are left out within data.max_bad_fraction, as a k-NN bank's: the files list names each row's image.
                LabeledFeatures features = extractor.extractTraining(dataset);
                List<Path> files = EmbeddingExport.write(out, name, features, dataset);
                printer.printf(Locale.ROOT, "%s: %d x %d %s features of %s -> %s, %s, %s%s%n", name, features.rows(),
                        features.features().dim(), extractor.name(), dataset.describe(), files.get(0), files.get(1),
                        files.get(2), features.rows() < dataset.size() ? " (" + (dataset.size() - features.rows())
                                + " damaged image(s) left out)" : "");
            }
        }
        printer.flush();
        return 0;
    }

    /** The earlier split whose images split {@code i}'s are (an image folder without splits), else -1. */
    private static int firstSame(List<Dataset> datasets, int i) {
        for (int j = 0; j < i; j++) {
            if (datasets.get(j) instanceof ImageFolderDataset a && datasets.get(i) instanceof ImageFolderDataset b
                    && a.root().equals(b.root())) {
                return j;
            }
        }
        return -1;
    }
}
