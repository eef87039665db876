package org.dinoj.worker.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dinoj.model.data.Dataset;
import org.dinoj.model.data.Datasets;
import org.dinoj.model.data.Split;
import org.dinoj.model.eval.LabeledFeatures;
import org.dinoj.model.eval.LinearProbe;
import org.dinoj.model.eval.LinearProbeResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dinoj eval linear}: a linear probe on frozen features. Each grid point (learning rate x
 * weight decay) trains a softmax classifier on 90% of the train split; the one with the best
 * top-1 on the held-out 10% is scored once on the test split.
 */
@Command(name = "linear",
        mixinStandardHelpOptions = true,
        description = "Linear probe: softmax regression on frozen features, grid chosen on held-out train images, scored on the test split.")
public final class LinearEvalCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private FeatureOptions input;

    @Option(names = "--learning-rates", split = ",", paramLabel = "LR", defaultValue = "0.01,0.1,1.0",
            description = "SGD learning rates of the grid (default: ${DEFAULT-VALUE}).")
    private List<Double> learningRates;

    @Option(names = "--weight-decays", split = ",", paramLabel = "WD", defaultValue = "0,1e-4",
            description = "L2 weight decays of the grid (default: ${DEFAULT-VALUE}).")
    private List<Double> weightDecays;

    @Option(names = "--epochs", defaultValue = "10", paramLabel = "N",
            description = "Passes over the fit part of the train split per grid point (default: ${DEFAULT-VALUE}).")
    private int epochs;

    @Option(names = "--probe-batch", defaultValue = "256", paramLabel = "B",
            description = "SGD mini-batch of the probe (default: ${DEFAULT-VALUE}).")
    private int probeBatch;

    @Option(names = "--held-out", defaultValue = "0.1", paramLabel = "FRACTION",
            description = "Fraction of the train split held out to choose the grid point (default: ${DEFAULT-VALUE}).")
    private double heldOut;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S",
            description = "Seed of the held-out split and the SGD order (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--json", description = "One JSON object (grid and test top-1) instead of the table.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        LinearProbe probe = new LinearProbe(LinearProbe.grid(learningRates, weightDecays), epochs, probeBatch, heldOut, seed);
        String featureName;
        LinearProbeResult result;
        double testTop1;
        int trainRows;
        int testRows;
        try (FeatureOptions.Extractor extractor = input.openExtractor()) {
            featureName = extractor.name();
            Dataset train = input.openLabelledDataset(Split.TRAIN, "the linear probe");
            Dataset test = input.openLabelledDataset(Split.TEST, "the linear probe");
            Datasets.requireDistinctSplits(train, test, "give a --dataset folder with train/ and test/ (or val/) sub-folders");
            LabeledFeatures trainFeatures = extractor.extractTraining(train);
            LabeledFeatures testFeatures = extractor.extract(test);
            result = probe.fit(trainFeatures);
            testTop1 = result.testAccuracy(testFeatures);
            trainRows = trainFeatures.rows();
            testRows = testFeatures.rows();
        }

        PrintWriter out = spec.commandLine().getOut();
        LinearProbe.GridPoint chosen = result.chosen();
        if (json) {
            List<Map<String, Object>> grid = new ArrayList<>();
            for (LinearProbe.GridPoint p : result.grid()) {
                Map<String, Object> point = new LinkedHashMap<>();
                point.put("lr", p.config().learningRate());
                point.put("weight_decay", p.config().weightDecay());
                point.put("held_out_top1", Double.isNaN(p.heldOutTop1()) ? null : p.heldOutTop1());
                grid.add(point);
            }
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("features", featureName);
            line.put("dataset", input.datasetSpec());
            line.put("fit", result.split().fit().length);
            line.put("held_out", result.split().heldOut().length);
            line.put("test", testRows);
            line.put("epochs", epochs);
            line.put("grid", grid);
            Map<String, Object> chosenPoint = new LinkedHashMap<>();
            chosenPoint.put("lr", chosen.config().learningRate());
            chosenPoint.put("weight_decay", chosen.config().weightDecay());
            line.put("chosen", chosenPoint);
            line.put("test_top1", testTop1);
            line.put("warnings", result.warnings());
            out.println(JsonOutput.line(line));
        } else {
            out.printf(Locale.ROOT, "linear probe on %s features of %s: %d train images (%d fit, %d held out), %d test images, %d epochs%n",
                    featureName, input.datasetSpec(), trainRows, result.split().fit().length, result.split().heldOut().length,
                    testRows, epochs);
            result.warnings().forEach(w -> out.println("warning: the linear probe " + w));
            out.printf(Locale.ROOT, "%10s %12s %16s%n", "lr", "weight decay", "held-out top-1 %");
            for (LinearProbe.GridPoint p : result.grid()) {
                String top1 = Double.isNaN(p.heldOutTop1()) ? "diverged" : String.format(Locale.ROOT, "%.2f", p.heldOutTop1());
                out.printf(Locale.ROOT, "%10s %12s %16s%s%n", p.config().learningRate(), p.config().weightDecay(), top1,
                        p == chosen ? "  <- chosen" : "");
            }
            out.printf(Locale.ROOT, "test top-1: %.2f%%%n", testTop1);
        }
        out.flush();
        return 0;
    }
}
