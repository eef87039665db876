package org.dinoj.worker.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.dinoj.worker.report.JobHistory.EvalRecord;
import org.dinoj.worker.report.JobHistory.StepRecord;

/**
 * Turns a job's {@link JobHistory} into the files a user looks at, next to the checkpoints:
 * {@code results.json} (every evaluation, a loss history summary per epoch, wall times, the
 * configuration) and PNG curves under {@code plots/} (the loss and its {@code *_loss} terms, and
 * k-NN top-1, against epoch and against wall time). Written by the worker after each evaluation and at the end of each round;
 * each file is replaced atomically, so a reader sees the previous or the new version.
 */
public final class JobReport {
    public static final String RESULTS = "results.json";
    public static final String PLOTS = "plots";
    public static final String LOSS_VS_EPOCH = "loss_vs_epoch.png";
    public static final String LOSS_VS_TIME = "loss_vs_time.png";
    public static final String KNN_VS_EPOCH = "knn_top1_vs_epoch.png";
    public static final String KNN_VS_TIME = "knn_top1_vs_time.png";
    static final int WIDTH = 800;
    static final int HEIGHT = 480;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private JobReport() {
    }

    /**
     * Writes results.json and the plots into {@code storeRoot} from its history.
     *
     * @param config        the job's configuration (YAML), copied into results.json
     * @param stepsPerEpoch optimizer steps per epoch ({@code train.OFFICIAL_EPOCH_LENGTH})
     */
    public static void write(Path storeRoot, String jobId, String config, long stepsPerEpoch) throws IOException {
        JobHistory history = new JobHistory(storeRoot);
        Curves curves = new Curves(stepsPerEpoch);
        history.forEachNewestStep(curves::add);
        List<EvalRecord> evals = history.evals();
        curves.finish(evals);
        Path plots = storeRoot.resolve(PLOTS);
        Files.createDirectories(plots);
        List<String> written = writePlots(plots, curves);
        ObjectNode results = results(jobId, config, stepsPerEpoch, evals, curves);
        ArrayNode plotNames = results.putArray("plots");
        written.forEach(name -> plotNames.add(PLOTS + "/" + name));
        Path file = storeRoot.resolve(RESULTS);
        Path tmp = storeRoot.resolve(RESULTS + ".tmp");
        JSON.writeValue(tmp.toFile(), results);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static List<String> writePlots(Path plots, Curves c) throws IOException {
        List<String> written = new ArrayList<>();
        if (c.stepCount() > 0) {
            LinePlot byEpoch = new LinePlot("Training loss and its terms", "epoch", "loss");
            LinePlot byTime = new LinePlot("Training loss and its terms", "wall time (minutes)", "loss");
            byEpoch.add("loss", c.stepEpochs, c.loss);
            byTime.add("loss", c.stepMinutes, c.loss);
            for (Map.Entry<String, double[]> term : c.terms.entrySet()) {
                if (!term.getKey().endsWith("_loss")) {
                    continue; // gradient norms and other metrics: in results.json, not on a loss scale
                }
                byEpoch.add(term.getKey(), c.stepEpochs, term.getValue());
                byTime.add(term.getKey(), c.stepMinutes, term.getValue());
            }
            byEpoch.writePng(plots.resolve(LOSS_VS_EPOCH), WIDTH, HEIGHT);
            byTime.writePng(plots.resolve(LOSS_VS_TIME), WIDTH, HEIGHT);
            written.add(LOSS_VS_EPOCH);
            written.add(LOSS_VS_TIME);
        }
        if (c.evalTop1.length > 0) {
            new LinePlot("k-NN accuracy (teacher CLS, k = " + c.evalK + ")", "epoch", "accuracy (%)")
                    .add("top-1", c.evalEpochs, c.evalTop1)
                    .add("top-5", c.evalEpochs, c.evalTop5)
                    .writePng(plots.resolve(KNN_VS_EPOCH), WIDTH, HEIGHT);
            new LinePlot("k-NN accuracy (teacher CLS, k = " + c.evalK + ")", "wall time (minutes)", "accuracy (%)")
                    .add("top-1", c.evalMinutes, c.evalTop1)
                    .add("top-5", c.evalMinutes, c.evalTop5)
                    .writePng(plots.resolve(KNN_VS_TIME), WIDTH, HEIGHT);
            written.add(KNN_VS_EPOCH);
            written.add(KNN_VS_TIME);
        }
        return written;
    }

    private static ObjectNode results(String jobId, String config, long stepsPerEpoch, List<EvalRecord> evals,
                                      Curves c) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("job_id", jobId);
        root.put("updated", Instant.now().toString());
        root.put("steps_per_epoch", stepsPerEpoch);

        ObjectNode wall = root.putObject("wall_time");
        if (c.origin != Long.MAX_VALUE) {
            wall.put("first_record", Instant.ofEpochMilli(c.origin).toString());
            wall.put("last_record", Instant.ofEpochMilli(c.last).toString());
            wall.put("elapsed_seconds", (c.last - c.origin) / 1000.0);
        }
        wall.put("evaluation_seconds", evals.stream().mapToDouble(EvalRecord::seconds).sum());

        ObjectNode training = root.putObject("training");
        training.put("recorded_steps", c.recordedSteps.cardinality());
        training.put("last_step", c.lastStep);
        training.put("epochs", (double) c.lastStep / stepsPerEpoch);
        training.put("shards", c.shards.size());
        putNumber(training, "images_per_second_mean", c.imagesPerSecondCount == 0 ? Double.NaN
                : c.imagesPerSecondSum / c.imagesPerSecondCount);
        if (c.stepsPerPoint > 1) {
            training.put("steps_per_plot_point", c.stepsPerPoint);
        }

        ObjectNode loss = root.putObject("loss_history");
        ArrayNode termNames = loss.putArray("terms");
        c.terms.keySet().forEach(termNames::add);
        if (c.stepCount() > 0) {
            loss.set("first", stepNode(c, 0));
            loss.set("last", stepNode(c, c.stepCount() - 1));
            int best = 0;
            for (int i = 1; i < c.stepCount(); i++) {
                if (c.loss[i] < c.loss[best]) {
                    best = i;
                }
            }
            loss.set("lowest", stepNode(c, best));
        }
        ArrayNode perEpoch = loss.putArray("per_epoch");
        for (long epoch = 0, n = (c.lastStep + stepsPerEpoch - 1) / stepsPerEpoch; epoch < n; epoch++) {
            perEpoch.add(epochNode(c, epoch, stepsPerEpoch));
        }

        ArrayNode evalNodes = root.putArray("evaluations");
        for (int i = 0; i < evals.size(); i++) {
            EvalRecord e = evals.get(i);
            ObjectNode n = evalNodes.addObject();
            n.put("epoch", e.epoch());
            n.put("step", e.step());
            n.put("k", e.k());
            putNumber(n, "top1", e.top1());
            putNumber(n, "top5", e.top5());
            putNumber(n, "wall_minutes", c.evalMinutes[i]);
            putNumber(n, "eval_seconds", e.seconds());
        }
        EvalRecord bestEval = JobHistory.best(evals).orElse(null);
        if (bestEval != null) {
            ObjectNode best = root.putObject("best_knn_top1");
            best.put("epoch", bestEval.epoch());
            best.put("step", bestEval.step());
            putNumber(best, "top1", bestEval.top1());
            if (bestEval.checkpoint() != null) {
                // Retention keeps it beside the newest checkpoints (TrainingActivitiesImpl).
                best.put("checkpoint", bestEval.checkpoint());
            }
        }
        JsonNode parsed;
        try {
            parsed = YAML.readTree(config == null ? "" : config);
        } catch (IOException e) {
            parsed = null;
        }
        if (parsed != null && !parsed.isMissingNode() && !parsed.isNull()) {
            root.set("config", parsed);
        } else {
            root.put("config", config);
        }
        return root;
    }

    /** A plotted point: one step, or on a long job the mean of a run of steps ({@code from_step} to {@code step}). */
    private static ObjectNode stepNode(Curves c, int i) {
        ObjectNode n = JSON.createObjectNode();
        n.put("step", c.stepNumbers[i]);
        if (c.firstStepNumbers[i] != c.stepNumbers[i]) {
            n.put("from_step", c.firstStepNumbers[i]);
        }
        putNumber(n, "loss", c.loss[i]);
        for (Map.Entry<String, double[]> t : c.terms.entrySet()) {
            putNumber(n, t.getKey(), t.getValue()[i]);
        }
        return n;
    }

    /** Mean loss and terms over the steps (epoch * L, (epoch + 1) * L]. */
    private static ObjectNode epochNode(Curves c, long epoch, long stepsPerEpoch) {
        ObjectNode n = JSON.createObjectNode();
        n.put("epoch", epoch + 1);
        Mean m = c.epochs.get(epoch);
        n.put("steps", c.finiteSteps.get((int) (epoch * stepsPerEpoch + 1), (int) ((epoch + 1) * stepsPerEpoch + 1)).cardinality());
        putNumber(n, "loss_mean", m == null ? Double.NaN : m.loss());
        for (String name : c.terms.keySet()) {
            putNumber(n, name + "_mean", m == null ? Double.NaN : m.term(c.termIndex.get(name)));
        }
        return n;
    }

    /** JSON has no NaN or infinity: those become null. */
    private static void putNumber(ObjectNode n, String field, double value) {
        if (Double.isFinite(value)) {
            n.put(field, value);
        } else {
            n.putNull(field);
        }
    }

    /** Sums of the loss and each term over records; a non-finite value is left out of its mean. Terms by index. */
    static final class Mean {
        private double lossSum;
        private int lossCount;
        private double[] termSums = new double[0];
        private int[] termCounts = new int[0];
        long fromStep = Long.MAX_VALUE;
        long toStep = Long.MIN_VALUE;
        long lastTime = Long.MIN_VALUE;

        void add(StepRecord r, Map<String, Integer> termIndex) {
            fromStep = Math.min(fromStep, r.step());
            toStep = Math.max(toStep, r.step());
            lastTime = Math.max(lastTime, r.timeMillis());
            if (Double.isFinite(r.loss())) {
                lossSum += r.loss();
                lossCount++;
            }
            for (Map.Entry<String, Double> t : r.terms().entrySet()) {
                Double v = t.getValue();
                if (v != null && Double.isFinite(v)) {
                    int i = termIndex.get(t.getKey());
                    grow(i + 1);
                    termSums[i] += v;
                    termCounts[i]++;
                }
            }
        }

        void add(Mean o) {
            fromStep = Math.min(fromStep, o.fromStep);
            toStep = Math.max(toStep, o.toStep);
            lastTime = Math.max(lastTime, o.lastTime);
            lossSum += o.lossSum;
            lossCount += o.lossCount;
            grow(o.termSums.length);
            for (int i = 0; i < o.termSums.length; i++) {
                termSums[i] += o.termSums[i];
                termCounts[i] += o.termCounts[i];
            }
        }

        private void grow(int terms) {
            if (termSums.length < terms) {
                termSums = Arrays.copyOf(termSums, terms);
                termCounts = Arrays.copyOf(termCounts, terms);
            }
        }

        double loss() {
            return lossCount == 0 ? Double.NaN : lossSum / lossCount;
        }

        double term(int i) {
            return i >= termCounts.length || termCounts[i] == 0 ? Double.NaN : termSums[i] / termCounts[i];
        }
    }

    /**
     * The history as arrays, gathered one step record at a time: per plotted point (the records of a
     * step, shards averaged; on a job of more than {@link #MAX_POINTS} steps, of a run of
     * {@code stepsPerPoint} steps) and per evaluation; times in minutes from the first record. It
     * holds a bounded number of points, and a bit per step, whatever the job's length.
     */
    static final class Curves {
        static final int MAX_POINTS = 2000;
        private final long stepsPerEpoch;
        private TreeMap<Long, Mean> points = new TreeMap<>();
        final TreeMap<Long, Mean> epochs = new TreeMap<>();
        final BitSet recordedSteps = new BitSet();
        final BitSet finiteSteps = new BitSet();
        final Set<Integer> shards = new TreeSet<>();
        final Map<String, Integer> termIndex = new HashMap<>();
        long stepsPerPoint = 1;
        long lastStep;
        double imagesPerSecondSum;
        long imagesPerSecondCount;
        long[] firstStepNumbers;
        long[] stepNumbers;
        double[] stepEpochs;
        double[] stepMinutes;
        double[] loss;
        final Map<String, double[]> terms = new TreeMap<>();
        double[] evalEpochs;
        double[] evalMinutes;
        double[] evalTop1;
        double[] evalTop5;
        int evalK;
        long origin = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;

        Curves(long stepsPerEpoch) {
            this.stepsPerEpoch = stepsPerEpoch;
        }

        int stepCount() {
            return stepNumbers.length;
        }

        void add(StepRecord r) {
            long step = r.step();
            origin = Math.min(origin, r.timeMillis());
            last = Math.max(last, r.timeMillis());
            lastStep = Math.max(lastStep, step);
            recordedSteps.set((int) step);
            if (Double.isFinite(r.loss())) {
                finiteSteps.set((int) step);
            }
            shards.add(r.shard());
            for (String name : r.terms().keySet()) {
                termIndex.putIfAbsent(name, termIndex.size());
            }
            if (Double.isFinite(r.imagesPerSecond())) {
                imagesPerSecondSum += r.imagesPerSecond();
                imagesPerSecondCount++;
            }
            epochs.computeIfAbsent(Math.max(0, step - 1) / stepsPerEpoch, k -> new Mean()).add(r, termIndex);
            points.computeIfAbsent(Math.max(0, step - 1) / stepsPerPoint, k -> new Mean()).add(r, termIndex);
            while (points.size() > MAX_POINTS) {
                // Twice as many steps per point: point k of the new width holds points 2k and 2k+1 of the old.
                stepsPerPoint *= 2;
                TreeMap<Long, Mean> merged = new TreeMap<>();
                points.forEach((k, m) -> merged.computeIfAbsent(k / 2, j -> new Mean()).add(m));
                points = merged;
            }
        }

        void finish(List<EvalRecord> evals) {
            for (EvalRecord e : evals) {
                origin = Math.min(origin, e.timeMillis());
                last = Math.max(last, e.timeMillis());
            }
            int n = points.size();
            firstStepNumbers = new long[n];
            stepNumbers = new long[n];
            stepEpochs = new double[n];
            stepMinutes = new double[n];
            loss = new double[n];
            for (String t : termIndex.keySet()) {
                terms.put(t, new double[n]);
            }
            int i = 0;
            for (Mean m : points.values()) {
                firstStepNumbers[i] = m.fromStep;
                stepNumbers[i] = m.toStep;
                stepEpochs[i] = (m.fromStep + m.toStep) / 2.0 / stepsPerEpoch;
                stepMinutes[i] = (m.lastTime - origin) / 60000.0;
                loss[i] = m.loss();
                for (Map.Entry<String, double[]> t : terms.entrySet()) {
                    t.getValue()[i] = m.term(termIndex.get(t.getKey()));
                }
                i++;
            }
            int m = evals.size();
            evalEpochs = new double[m];
            evalMinutes = new double[m];
            evalTop1 = new double[m];
            evalTop5 = new double[m];
            for (int j = 0; j < m; j++) {
                EvalRecord e = evals.get(j);
                evalEpochs[j] = (double) e.step() / stepsPerEpoch;
                evalMinutes[j] = (e.timeMillis() - origin) / 60000.0;
                evalTop1[j] = e.top1();
                evalTop5[j] = e.top5();
                evalK = e.k();
            }
        }
    }
}
