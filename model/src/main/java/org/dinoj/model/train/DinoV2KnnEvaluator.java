package org.dinoj.model.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.dnnl.DnnlBackend;
import org.dinoj.model.data.Dataset;
import org.dinoj.model.data.Datasets;
import org.dinoj.model.data.ImageFolderDataset;
import org.dinoj.model.data.Split;
import org.dinoj.model.eval.BlockedNeighbourSearch;
import org.dinoj.model.eval.FeatureExtraction;
import org.dinoj.model.eval.KnnAccuracy;
import org.dinoj.model.eval.KnnEvaluation;
import org.dinoj.model.eval.LabeledFeatures;
import org.dinoj.model.eval.MatmulNeighbourSearch;
import org.dinoj.model.train.config.DinoV2Config;
import org.dinoj.model.train.config.EvalConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link CheckpointEvaluator}: dinov2's k-NN on the teacher's CLS features, the
 * evaluation dataset's train split as the bank and its test split as the queries ({@code eval.*}).
 */
public final class DinoV2KnnEvaluator implements CheckpointEvaluator {
    private static final Logger LOG = LoggerFactory.getLogger(DinoV2KnnEvaluator.class);

    private static final String INSTEAD = "set eval.dataset to a labelled dataset with a held-out split, or"
            + " job.eval_every_epochs=-1 to train without k-NN";

    @Override
    public void checkEvaluable(String config) {
        DinoV2Config parsed = DinoV2Config.parse(config);
        if (parsed.job().evalEveryEpochs() < 0) {
            return;
        }
        String spec = parsed.eval().datasetOr(parsed.data().dataset());
        java.util.Optional<Path> folder = Datasets.folder(spec);
        if (folder.isPresent()) {
            // From the folder's layout: walking a large one here would outlast the round's heartbeat timeout.
            String problem = ImageFolderDataset.evaluationLayoutProblem(folder.get());
            if (problem != null) {
                throw new IllegalArgumentException("k-NN cannot use evaluation dataset " + spec + ": it " + problem
                        + (problem.endsWith("check the path") ? "" : "; " + INSTEAD));
            }
            return;
        }
        Dataset train = Datasets.open(spec, Split.TRAIN);
        Dataset test = Datasets.open(spec, Split.TEST);
        requireLabels(spec, train, test);
        Datasets.requireDistinctSplits(train, test, INSTEAD);
    }

    private static void requireLabels(String spec, Dataset train, Dataset test) {
        if (train.numClasses() == 0 || test.numClasses() == 0) {
            throw new IllegalArgumentException("k-NN needs labels, but evaluation dataset " + spec + " has none"
                    + (train.numClasses() == 0 ? "" : " in its test split") + ": " + INSTEAD);
        }
    }

    @Override
    public KnnResult knn(String config, Path checkpoint) throws IOException {
        DinoV2Config parsed = DinoV2Config.parse(config);
        EvalConfig eval = parsed.eval();
        String spec = eval.datasetOr(parsed.data().dataset());
        List<KnnAccuracy> results = evaluate(parsed, checkpoint, spec, new int[] {eval.k()});
        KnnAccuracy r = results.getFirst();
        return new KnnResult(r.k(), r.top1(), r.top5());
    }

    /** k-NN of the teacher in {@code checkpoint} on dataset {@code spec} for each of {@code ks}. */
    public static List<KnnAccuracy> evaluate(DinoV2Config config, Path checkpoint, String spec, int[] ks)
            throws IOException {
        Dataset train = Datasets.open(spec, Split.TRAIN);
        Dataset test = Datasets.open(spec, Split.TEST);
        requireLabels(spec, train, test);
        try {
            Datasets.requireDistinctSplits(train, test, INSTEAD);
        } catch (IllegalArgumentException e) {
            // New jobs are refused at their start (checkEvaluable); one started before that check keeps running.
            LOG.warn("the k-NN top-1 below is not a held-out score: {}", e.getMessage());
        }
        long start = System.nanoTime();
        try (TeacherFeatures teacher = TeacherFeatures.open(config, checkpoint)) {
            // The bank leaves damaged images out as training does; the measured queries stay whole.
            LabeledFeatures bank = FeatureExtraction.extractSkippingDamaged(train, teacher, config.eval().batchSize(),
                    config.data().maxBadFraction());
            LabeledFeatures queries = FeatureExtraction.extract(test, teacher, config.eval().batchSize());
            List<KnnAccuracy> results = search(config, bank, queries, ks);
            LOG.info("k-NN of {} on {} ({} bank, {} queries) took {} s", checkpoint, spec, bank.rows(), queries.rows(),
                    String.format("%.1f", (System.nanoTime() - start) * 1e-9));
            return results;
        }
    }

    /**
     * k-NN of {@code queries} against {@code bank} as a job's evaluation runs it: f32 similarities
     * on oneDNN when the job trains on it (whatever its precision: the protocol ranks by exact
     * cosines), else the blocked host search.
     */
    public static List<KnnAccuracy> search(DinoV2Config config, LabeledFeatures bank, LabeledFeatures queries, int[] ks) {
        double temperature = config.eval().temperature();
        if ("dnnl".equals(config.compute().backendKind())) {
            try (DnnlBackend searchBackend = new DnnlBackend(Precision.F32)) {
                return new KnnEvaluation(new MatmulNeighbourSearch(searchBackend)).run(bank, queries, ks, temperature);
            }
        }
        return new KnnEvaluation(new BlockedNeighbourSearch()).run(bank, queries, ks, temperature);
    }
}
