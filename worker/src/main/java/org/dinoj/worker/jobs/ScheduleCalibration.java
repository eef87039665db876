package org.dinoj.worker.jobs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.dinoj.model.checkpoint.Checkpoint;
import org.dinoj.model.checkpoint.CheckpointStore;
import org.dinoj.model.data.Dataset;
import org.dinoj.model.data.Datasets;
import org.dinoj.model.data.Split;
import org.dinoj.model.data.StridedSubset;
import org.dinoj.model.eval.FeatureExtraction;
import org.dinoj.model.eval.FeatureMatrix;
import org.dinoj.model.eval.LabeledFeatures;
import org.dinoj.model.ssl.NonFiniteStepException;
import org.dinoj.model.train.DinoV2KnnEvaluator;
import org.dinoj.model.train.DinoV2Session;
import org.dinoj.model.train.TeacherFeatures;
import org.dinoj.model.train.config.DinoV2Config;

/**
 * Times what a job's wall time is made of, on this machine, with the job's own configuration: a
 * training session's steps (after a warm-up), one checkpoint written and verified as a round writes
 * it, a round's start (verify, reopen, first step), and a k-NN evaluation, timed on strided subsets
 * of the evaluation dataset and scaled to its full size (feature extraction grows with the images,
 * the search with bank x queries). Nothing of it is kept: the session trains from the seed and its
 * scratch checkpoint is deleted.
 */
public final class ScheduleCalibration {
    /** Steps before timing starts, at the least: the first ones create primitives and compile code. */
    private static final int WARMUP_STEPS = 3;
    /**
     * Untimed training before the timed window, as a share of that window. The measurement is the
     * first work of a fresh worker JVM: 3 steps left its Java code half-compiled, and the window
     * measured 59.3 img/s where the job then trained at 65-72.
     */
    private static final double WARMUP_SHARE = 0.5;
    private static final int MIN_TIMED_STEPS = 5;
    private static final int BANK_SAMPLE = 4096;
    private static final int QUERY_SAMPLE = 1024;

    private ScheduleCalibration() {
    }

    /**
     * Seconds per unit of a job's work, as measured.
     *
     * @param stepSeconds        mean wall time of one training step (data loading included)
     * @param checkpointSeconds  one checkpoint: written, hashed, synced
     * @param roundStartSeconds  a round's start beyond its steps: verify and reopen the latest
     *                           checkpoint, and the first step's extra time
     * @param evaluationSeconds  one k-NN evaluation on the full evaluation dataset (estimated)
     * @param batch              images per step
     */
    public record Costs(double stepSeconds, double checkpointSeconds, double roundStartSeconds,
                        double evaluationSeconds, int batch) {
        public double imagesPerSecond() {
            return batch / stepSeconds;
        }

        public String describe() {
            return String.format(Locale.ROOT, "%.1f img/s (%.3f s a step), a checkpoint %.2f s, a round's start %.2f s",
                    imagesPerSecond(), stepSeconds, checkpointSeconds, roundStartSeconds)
                    + (evaluationSeconds > 0 ? String.format(Locale.ROOT, ", a k-NN evaluation about %.0f s", evaluationSeconds) : "");
        }
    }

    /**
     * Trains {@code config} fresh for at least {@code timedSeconds} after a warm-up of half as long
     * (and at least 3 steps), times those steps and the rest, with its scratch checkpoint under
     * {@code scratch} (deleted before returning). A job of several shards is timed as one of them:
     * each trains its own steps of the same size in parallel.
     */
    public static Costs measure(DinoV2Config config, Path scratch, double timedSeconds) throws IOException {
        // Ctrl-C while measuring ends the JVM before the finally below: the hook still removes the scratch.
        Thread cleanup = new Thread(() -> CheckpointStore.deleteRecursively(scratch), "time-budget-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            CheckpointStore store = new CheckpointStore(scratch);
            double stepSeconds;
            Checkpoint checkpoint;
            long checkpointNanos;
            try (DinoV2Session session = DinoV2Session.open(config, 0, 1, null)) {
                long warmupStart = System.nanoTime();
                for (int i = 0; i < WARMUP_STEPS || (System.nanoTime() - warmupStart) * 1e-9 < WARMUP_SHARE * timedSeconds; i++) {
                    step(session);
                }
                long start = System.nanoTime();
                int timed = 0;
                while (timed < MIN_TIMED_STEPS || (System.nanoTime() - start) * 1e-9 < timedSeconds) {
                    step(session);
                    timed++;
                }
                stepSeconds = (System.nanoTime() - start) * 1e-9 / timed;
                long before = System.nanoTime();
                checkpoint = store.save(session.step(), session::saveTo);
                checkpointNanos = System.nanoTime() - before;
            }
            long before = System.nanoTime();
            store.verify(checkpoint.step());
            try (DinoV2Session reopened = DinoV2Session.open(config, 0, 1, checkpoint.directory())) {
                step(reopened);
            }
            double roundStart = Math.max(0, (System.nanoTime() - before) * 1e-9 - stepSeconds);
            // A job that never evaluates (job.eval_every_epochs: -1) may have no labels to time a k-NN on.
            double evaluation = config.job().evalEveryEpochs() < 0 ? 0 : evaluationSeconds(config, checkpoint.directory());
            return new Costs(stepSeconds, checkpointNanos * 1e-9, roundStart, evaluation,
                    config.train().batchSizePerGpu());
        } finally {
            CheckpointStore.deleteRecursively(scratch);
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
    }

    private static void step(DinoV2Session session) {
        try {
            session.trainStep();
        } catch (NonFiniteStepException e) {
            // A refused step costs what a step costs; the job would skip it the same way.
        }
    }

    /**
     * Extraction timed on strided subsets (after one untimed batch) and scaled by images; the search
     * timed with the full bank's size (the sample's features repeated) and scaled by queries.
     */
    private static double evaluationSeconds(DinoV2Config config, Path checkpoint) throws IOException {
        String spec = config.eval().datasetOr(config.data().dataset());
        Dataset train = Datasets.open(spec, Split.TRAIN);
        Dataset test = Datasets.open(spec, Split.TEST);
        Dataset bankSample = StridedSubset.of(train, BANK_SAMPLE);
        Dataset querySample = StridedSubset.of(test, QUERY_SAMPLE);
        int batch = config.eval().batchSize();
        long start = System.nanoTime();
        LabeledFeatures bank;
        LabeledFeatures queries;
        long warm;
        try (TeacherFeatures teacher = TeacherFeatures.open(config, checkpoint)) {
            FeatureExtraction.extract(StridedSubset.of(querySample, batch), teacher, batch);
            warm = System.nanoTime();
            bank = FeatureExtraction.extractSkippingDamaged(bankSample, teacher, batch, config.data().maxBadFraction());
            queries = FeatureExtraction.extract(querySample, teacher, batch);
        }
        long extracted = System.nanoTime();
        double perImage = (extracted - warm) * 1e-9 / (bankSample.size() + querySample.size());
        double seconds = (warm - start) * 1e-9 + perImage * (train.size() + test.size());
        if (train.numClasses() > 0) {
            long before = System.nanoTime();
            DinoV2KnnEvaluator.search(config, repeatedTo(bank, train.size()), queries, new int[] {config.eval().k()});
            seconds += (System.nanoTime() - before) * 1e-9 * test.size() / queries.rows();
        }
        return seconds;
    }

    /** {@code rows} rows made of {@code sample}'s rows over and over: a bank of the real size to time a search on. */
    private static LabeledFeatures repeatedTo(LabeledFeatures sample, int rows) {
        int dim = sample.features().dim();
        float[] from = sample.features().values();
        float[] values = new float[Math.multiplyExact(rows, dim)];
        int[] labels = new int[rows];
        for (int r = 0; r < rows; r++) {
            int source = r % sample.rows();
            System.arraycopy(from, source * dim, values, r * dim, dim);
            labels[r] = sample.labels()[source];
        }
        return new LabeledFeatures(new FeatureMatrix(rows, dim, values), labels, sample.numClasses());
    }
}
