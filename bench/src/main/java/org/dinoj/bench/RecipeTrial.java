package org.dinoj.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dinoj.model.checkpoint.CheckpointStore;
import org.dinoj.model.data.Dataset;
import org.dinoj.model.data.Datasets;
import org.dinoj.model.data.Split;
import org.dinoj.model.data.StridedSubset;
import org.dinoj.model.eval.FeatureExtraction;
import org.dinoj.model.eval.FeatureExtractor;
import org.dinoj.model.eval.LabeledFeatures;
import org.dinoj.model.eval.RawPixelFeatures;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.train.DinoV2KnnEvaluator;
import org.dinoj.model.train.DinoV2Session;
import org.dinoj.model.train.StepResult;
import org.dinoj.model.train.TeacherFeatures;
import org.dinoj.model.train.config.DinoV2Config;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dinoj bench recipe}: how fast a training configuration learns, without Temporal. It trains
 * one in-process session through the configured schedule and, every few epochs, scores the teacher
 * CLS with the k-NN protocol on an evenly strided subset of the evaluation dataset (a 10k bank and
 * 2k queries take seconds; the full 70k take minutes), next to raw pixels on the same subset.
 * Training time excludes the evaluations, so the printed minutes are those a job would spend.
 */
@Command(name = "recipe",
        mixinStandardHelpOptions = true,
        description = "Trains a configuration in-process and prints k-NN top-1 of the teacher on a subset every few epochs.")
public final class RecipeTrial implements Callable<Integer> {

    @Option(names = "--config", defaultValue = "fashion-mnist", description = "Preset or YAML file (default ${DEFAULT-VALUE}).")
    private String config;

    @Option(names = "--set", description = "Configuration overrides KEY=VALUE, as for pretrain.")
    private List<String> overrides = new ArrayList<>();

    @Option(names = "--eval-every-epochs", defaultValue = "0",
            description = "Epochs between evaluations (default: the config's job.eval_every_epochs; where that is 0"
                    + " or -1 the trial still evaluates once, at the end, since its k-NN is what it measures).")
    private int evalEveryEpochs;

    @Option(names = "--bank", defaultValue = "10000", description = "Bank images, strided over the train split (default ${DEFAULT-VALUE}).")
    private int bankSize;

    @Option(names = "--queries", defaultValue = "2000", description = "Query images, strided over the test split (default ${DEFAULT-VALUE}).")
    private int querySize;

    @Option(names = "--max-minutes", defaultValue = "0", description = "Stop training after this many minutes (0: the whole schedule).")
    private double maxMinutes;

    @Override
    public Integer call() throws Exception {
        DinoV2Config parsed = DinoV2Config.load(config, overrides);
        String spec = parsed.eval().datasetOr(parsed.data().dataset());
        Dataset bank = StridedSubset.of(Datasets.open(spec, Split.TRAIN), bankSize);
        Dataset queries = StridedSubset.of(Datasets.open(spec, Split.TEST), querySize);
        if (bank.numClasses() == 0) {
            throw new IllegalArgumentException("evaluation dataset " + spec + " has no labels: set eval.dataset to a labelled one");
        }
        int every = evalEveryEpochs > 0 ? evalEveryEpochs : parsed.job().evalEveryEpochs();
        long stepsPerEval = every > 0 ? (long) every * parsed.train().officialEpochLength() : parsed.totalSteps();
        int batch = parsed.train().batchSizePerGpu();
        System.out.printf(Locale.ROOT, "recipe %s %s: %d steps of batch %d; k-NN (k=%d, T=%.2f) on %d bank / %d queries%n",
                config, overrides, parsed.totalSteps(), batch, parsed.eval().k(), parsed.eval().temperature(),
                bank.size(), queries.size());
        System.out.printf(Locale.ROOT, "raw pixels: top-1 %.2f%n", knn(parsed, bank, queries, new RawPixelFeatures()));
        Path dir = Files.createTempDirectory("dinoj-recipe");
        try (DinoV2Session session = DinoV2Session.open(parsed, 0, 1, null)) {
            System.out.printf(Locale.ROOT, "epoch 0.0  step 0  k-NN top-1 %.2f (the initial teacher)%n",
                    teacherKnn(parsed, session, dir, bank, queries));
            long trainNanos = 0;
            double lossSum = 0;
            int lossCount = 0;
            while (session.step() < session.totalSteps()) {
                long start = System.nanoTime();
                StepResult r = session.trainStep();
                trainNanos += System.nanoTime() - start;
                lossSum += r.loss();
                lossCount++;
                boolean last = session.step() == session.totalSteps();
                boolean outOfTime = maxMinutes > 0 && trainNanos * 1e-9 / 60 >= maxMinutes;
                if (session.step() % stepsPerEval == 0 || last || outOfTime) {
                    double top1 = teacherKnn(parsed, session, dir, bank, queries);
                    double minutes = trainNanos * 1e-9 / 60;
                    Tensor targets = session.stepper().dinoTargetProbabilities();
                    Tensor cls = session.stepper().teacherClsTokens();
                    Tensor z = session.stepper().model().teacherDinoHead().forwardInference(cls).normalizedBottleneck();
                    System.out.printf(Locale.ROOT,
                            "epoch %.1f  step %d  train %.1f min  %.1f img/s  loss %.4f  target row entropy %.3f of log K"
                                    + " %.3f  teacher cos CLS %.3f head z %.3f  k-NN top-1 %.2f%n",
                            session.step() / (double) parsed.train().officialEpochLength(), session.step(), minutes,
                            session.step() * batch / (trainNanos * 1e-9), lossSum / lossCount, meanRowEntropy(targets),
                            Math.log(targets.size(1)), meanPairwiseCosine(cls), meanPairwiseCosine(z), top1);
                    lossSum = 0;
                    lossCount = 0;
                    if (outOfTime) {
                        break;
                    }
                }
            }
        } finally {
            CheckpointStore.deleteRecursively(dir);
        }
        return 0;
    }

    /**
     * Mean cosine between distinct rows of {@code [R, D]}: near 1 when the rows are the same vector
     * whatever the image (the head's collapse that keeps the targets uniform, docs/collapse.md).
     */
    private static double meanPairwiseCosine(Tensor rows) {
        int n = (int) rows.size(0);
        int d = (int) rows.size(1);
        double[] sum = new double[d];
        double[] row = new double[d];
        for (int r = 0; r < n; r++) {
            double norm = 0;
            for (int c = 0; c < d; c++) {
                row[c] = rows.get(r, c);
                norm += row[c] * row[c];
            }
            double scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
            for (int c = 0; c < d; c++) {
                sum[c] += row[c] * scale;
            }
        }
        double squared = 0;
        for (double v : sum) {
            squared += v * v;
        }
        return (squared - n) / ((double) n * (n - 1));
    }

    /** Mean entropy of the rows of the teacher's DINO targets [R, K]: log K when they carry no signal. */
    private static double meanRowEntropy(Tensor targets) {
        int rows = (int) targets.size(0);
        int k = (int) targets.size(1);
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < k; c++) {
                double p = targets.get(r, c);
                sum -= p > 0 ? p * Math.log(p) : 0;
            }
        }
        return sum / rows;
    }

    private static double teacherKnn(DinoV2Config config, DinoV2Session session, Path dir, Dataset bank,
                                     Dataset queries) throws IOException {
        session.saveTo(dir);
        try (TeacherFeatures teacher = TeacherFeatures.open(config, dir)) {
            return knn(config, bank, queries, teacher);
        }
    }

    private static double knn(DinoV2Config config, Dataset bank, Dataset queries, FeatureExtractor features) {
        int batch = config.eval().batchSize();
        LabeledFeatures b = FeatureExtraction.extract(bank, features, batch);
        LabeledFeatures q = FeatureExtraction.extract(queries, features, batch);
        return DinoV2KnnEvaluator.search(config, b, q, new int[] {config.eval().k()}).getFirst().top1();
    }
}
