package org.dinoj.worker.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dinoj.model.data.Dataset;
import org.dinoj.model.data.Datasets;
import org.dinoj.model.data.Split;
import org.dinoj.model.eval.BlockedNeighbourSearch;
import org.dinoj.model.eval.KnnAccuracy;
import org.dinoj.model.eval.KnnEvaluation;
import org.dinoj.model.eval.LabeledFeatures;
import org.dinoj.model.train.DinoV2KnnEvaluator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dinoj eval knn}: the dinov2 k-NN protocol (train split as the bank, test split as the
 * queries) on the chosen features; prints top-1/top-5 per k as a table or as JSON lines.
 */
@Command(name = "knn",
        mixinStandardHelpOptions = true,
        description = "Weighted k-NN classification (dinov2 protocol): train split as the bank, test split as queries.")
public final class KnnEvalCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(KnnEvalCommand.class);

    @Spec
    private CommandSpec spec;

    @Mixin
    private FeatureOptions input;

    @Option(names = "--ks", split = ",", paramLabel = "K", defaultValue = "10,20,100,200",
            description = "Neighbour counts (default: ${DEFAULT-VALUE}).")
    private List<Integer> ks;

    @Option(names = "--temperature", defaultValue = "0.07", paramLabel = "T",
            description = "Temperature of the exp(sim / T) weights (default: ${DEFAULT-VALUE}).")
    private double temperature;

    @Option(names = "--json", description = "One JSON object per k instead of the table.")
    private boolean json;

    @Option(names = "--threads", paramLabel = "N", description = "Search threads (default: all processors).")
    private Integer threads;

    @Override
    public Integer call() throws Exception {
        int[] kValues = ks.stream().mapToInt(Integer::intValue).toArray();
        // Before any feature is extracted, which takes minutes on a real dataset.
        for (int k : kValues) {
            if (k < 1) {
                throw new IllegalArgumentException("--ks " + k + ": every k must be at least 1 (e.g. --ks 10,20,100,200)");
            }
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("--temperature " + temperature + " must be a number above 0 (dinov2: 0.07)");
        }
        long start = System.nanoTime();
        String featureName;
        List<KnnAccuracy> results;
        int bankRows;
        int queryRows;
        try (FeatureOptions.Extractor extractor = input.openExtractor()) {
            featureName = extractor.name();
            Dataset train = input.openLabelledDataset(Split.TRAIN, "k-NN");
            Dataset test = input.openLabelledDataset(Split.TEST, "k-NN");
            Datasets.requireDistinctSplits(train, test, "give a --dataset folder with train/ and test/ (or val/) sub-folders");
            LabeledFeatures bank = extractor.extractTraining(train);
            LabeledFeatures queries = extractor.extract(test);
            if (input.model.checkpoint != null) {
                // As a job's evaluation searches: f32 similarities on oneDNN when the job trains on it.
                results = DinoV2KnnEvaluator.search(input.model.trainedConfig("eval.temperature=" + temperature), bank, queries, kValues);
            } else {
                BlockedNeighbourSearch search = threads == null ? new BlockedNeighbourSearch() : new BlockedNeighbourSearch(threads);
                results = new KnnEvaluation(search).run(bank, queries, kValues, temperature);
            }
            bankRows = bank.rows();
            queryRows = queries.rows();
        }
        LOG.info("k-NN evaluation of {} on {} took {} s", featureName, input.datasetSpec(),
                String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) * 1e-9));

        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            for (KnnAccuracy r : results) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("k", r.k());
                line.put("neighbours", r.neighbours());
                line.put("top1", r.top1());
                line.put("top5", r.top5());
                line.put("queries", r.queries());
                line.put("bank", bankRows);
                line.put("features", featureName);
                line.put("dataset", input.datasetSpec());
                line.put("temperature", temperature);
                out.println(JsonOutput.line(line));
            }
        } else {
            out.printf(Locale.ROOT, "k-NN on %s features of %s: %d train images (bank), %d test images (queries), T = %s%n",
                    featureName, input.datasetSpec(), bankRows, queryRows, temperature);
            out.printf(Locale.ROOT, "%6s %9s %9s%n", "k", "top-1 %", "top-5 %");
            for (KnnAccuracy r : results) {
                String k = r.neighbours() == r.k() ? Integer.toString(r.k()) : r.k() + "*";
                out.printf(Locale.ROOT, "%6s %9.2f %9.2f%n", k, r.top1(), r.top5());
            }
            if (results.stream().anyMatch(r -> r.neighbours() != r.k())) {
                out.printf(Locale.ROOT, "* larger than the bank: all %d train images used%n", bankRows);
            }
        }
        out.flush();
        return 0;
    }
}
