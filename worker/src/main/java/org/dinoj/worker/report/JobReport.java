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
import java.util.List;
import java.util.Map;
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
        List<StepRecord> steps = history.steps();
        List<EvalRecord> evals = history.evals();
        Curves curves = Curves.of(steps, evals, stepsPerEpoch);
        Path plots = storeRoot.resolve(PLOTS);
        Files.createDirectories(plots);
        List<String> written = writePlots(plots, curves);
        ObjectNode results = results(jobId, config, stepsPerEpoch, steps, evals, curves);
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

    private static ObjectNode results(String jobId, String config, long stepsPerEpoch, List<StepRecord> steps,
                                      List<EvalRecord> evals, Curves c) throws IOException {
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
        training.put("recorded_steps", c.stepCount());
        training.put("last_step", c.stepCount() == 0 ? 0 : c.stepNumbers[c.stepCount() - 1]);
        training.put("epochs", c.stepCount() == 0 ? 0 : finite(c.stepEpochs[c.stepCount() - 1]));
        training.put("shards", steps.stream().mapToInt(StepRecord::shard).distinct().count());
        putNumber(training, "images_per_second_mean",
                steps.stream().mapToDouble(StepRecord::imagesPerSecond).filter(Double::isFinite).average().orElse(Double.NaN));

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
        for (long epoch = 0, n = c.stepCount() == 0 ? 0 : (c.stepNumbers[c.stepCount() - 1] + stepsPerEpoch - 1) / stepsPerEpoch;
             epoch < n; epoch++) {
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

    private static ObjectNode stepNode(Curves c, int i) {
        ObjectNode n = JSON.createObjectNode();
        n.put("step", c.stepNumbers[i]);
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
        int count = 0;
        double loss = 0;
        double[] terms = new double[c.terms.size()];
        for (int i = 0; i < c.stepCount(); i++) {
            long s = c.stepNumbers[i];
            if (s > epoch * stepsPerEpoch && s <= (epoch + 1) * stepsPerEpoch && Double.isFinite(c.loss[i])) {
                count++;
                loss += c.loss[i];
                int j = 0;
                for (double[] t : c.terms.values()) {
                    terms[j++] += t[i];
                }
            }
        }
        n.put("steps", count);
        putNumber(n, "loss_mean", count == 0 ? Double.NaN : loss / count);
        int j = 0;
        for (String name : c.terms.keySet()) {
            putNumber(n, name + "_mean", count == 0 ? Double.NaN : terms[j++] / count);
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

    private static double finite(double v) {
        return Double.isFinite(v) ? v : 0;
    }

    /** The history as arrays: per step (shards averaged) and per evaluation; times in minutes from the first step. */
    static final class Curves {
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

        int stepCount() {
            return stepNumbers.length;
        }

        static Curves of(List<StepRecord> steps, List<EvalRecord> evals, long stepsPerEpoch) {
            Curves c = new Curves();
            for (StepRecord r : steps) {
                c.origin = Math.min(c.origin, r.timeMillis());
                c.last = Math.max(c.last, r.timeMillis());
            }
            for (EvalRecord e : evals) {
                c.origin = Math.min(c.origin, e.timeMillis());
                c.last = Math.max(c.last, e.timeMillis());
            }
            TreeSet<String> termNames = new TreeSet<>();
            steps.forEach(r -> termNames.addAll(r.terms().keySet()));
            // shards report the same step: average them (steps arrive ordered by step)
            List<List<StepRecord>> groups = new ArrayList<>();
            for (StepRecord r : steps) {
                if (groups.isEmpty() || groups.getLast().getFirst().step() != r.step()) {
                    groups.add(new ArrayList<>());
                }
                groups.getLast().add(r);
            }
            int n = groups.size();
            c.stepNumbers = new long[n];
            c.stepEpochs = new double[n];
            c.stepMinutes = new double[n];
            c.loss = new double[n];
            for (String t : termNames) {
                c.terms.put(t, new double[n]);
            }
            for (int i = 0; i < n; i++) {
                List<StepRecord> g = groups.get(i);
                long step = g.getFirst().step();
                c.stepNumbers[i] = step;
                c.stepEpochs[i] = (double) step / stepsPerEpoch;
                c.stepMinutes[i] = (g.stream().mapToLong(StepRecord::timeMillis).max().orElseThrow() - c.origin) / 60000.0;
                c.loss[i] = g.stream().mapToDouble(StepRecord::loss).average().orElse(Double.NaN);
                for (Map.Entry<String, double[]> t : c.terms.entrySet()) {
                    t.getValue()[i] = g.stream().mapToDouble(r -> r.terms().getOrDefault(t.getKey(), Double.NaN))
                            .average().orElse(Double.NaN);
                }
            }
            int m = evals.size();
            c.evalEpochs = new double[m];
            c.evalMinutes = new double[m];
            c.evalTop1 = new double[m];
            c.evalTop5 = new double[m];
            for (int i = 0; i < m; i++) {
                EvalRecord e = evals.get(i);
                c.evalEpochs[i] = (double) e.step() / stepsPerEpoch;
                c.evalMinutes[i] = (e.timeMillis() - c.origin) / 60000.0;
                c.evalTop1[i] = e.top1();
                c.evalTop5[i] = e.top5();
                c.evalK = e.k();
            }
            return c;
        }
    }
}
