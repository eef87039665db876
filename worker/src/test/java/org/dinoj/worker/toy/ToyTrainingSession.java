package org.dinoj.worker.toy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dinoj.model.checkpoint.CheckpointMismatchException;
import org.dinoj.model.checkpoint.SafeTensors;
import org.dinoj.model.checkpoint.SafeTensorsFile;
import org.dinoj.model.ssl.NonFiniteStepException;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.train.StepResult;
import org.dinoj.model.train.TrainingSession;

/**
 * A deterministic stand-in for the DINOv2 trainer, for orchestration tests: a student vector pulled
 * towards a shard-specific target by SGD with momentum, an EMA teacher and a running center, saved
 * with the same file names and key contract as the real checkpoints. Given the same start state it
 * computes bit-identical weights, so a resumed run can be compared with an uninterrupted one.
 *
 * <p>Update of step s (all [dim]): {@code g = w - target}, {@code v = 0.9 v + g},
 * {@code w -= lr * lrScale * v}, {@code t = 0.9 t + 0.1 w}, {@code c = 0.9 c + 0.1 mean(t)}, with
 * {@code target_i = shard + i}. Loss: {@code 0.5 |w - target|^2} before the update.
 */
public final class ToyTrainingSession implements TrainingSession {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int IMAGES_PER_STEP = 8;

    private final ToyConfig config;
    /** The configuration's text, written beside the weights as the DINOv2 session writes its config.yaml. */
    private final String yaml;
    private final int shard;
    private final int shards;
    private final double[] student;
    private final double[] teacher;
    private final double[] momentum;
    private double center;
    private long step;
    private double lrScale = 1;
    private int nanFailures;

    ToyTrainingSession(ToyConfig config, String yaml, int shard, int shards) {
        this.config = config;
        this.yaml = yaml;
        this.shard = shard;
        this.shards = shards;
        student = new double[config.dim()];
        teacher = new double[config.dim()];
        momentum = new double[config.dim()];
        for (int i = 0; i < student.length; i++) {
            // The initialisation does not depend on the shard: every shard starts from the same weights.
            student[i] = 0.5 * i - 1;
            teacher[i] = student[i];
        }
    }

    static ToyTrainingSession open(ToyConfig config, String yaml, int shard, int shards, Path checkpoint) throws IOException {
        ToyTrainingSession s = new ToyTrainingSession(config, yaml, shard, shards);
        if (checkpoint != null) {
            s.load(checkpoint);
        }
        return s;
    }

    /** Student, teacher and center from {@code base}; step 0, zero momentum, learning-rate scale 1. */
    static ToyTrainingSession openFromWeights(ToyConfig config, String yaml, int shard, int shards, Path base)
            throws IOException {
        ToyTrainingSession s = new ToyTrainingSession(config, yaml, shard, shards);
        try (SafeTensorsFile model = SafeTensors.read(base.resolve("model.safetensors"))) {
            copy(model.tensor("student.w"), s.student);
            copy(model.tensor("teacher.w"), s.teacher);
            s.center = model.tensor("dino_loss.center").getFlat(0);
        }
        return s;
    }

    @Override
    public long step() {
        return step;
    }

    @Override
    public long totalSteps() {
        return config.totalSteps();
    }

    @Override
    public StepResult trainStep() throws NonFiniteStepException {
        long started = System.nanoTime();
        if (config.stepMillis() > 0) {
            try {
                Thread.sleep(config.stepMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted during a toy step", e);
            }
        }
        long next = step + 1;
        boolean cleared = lrScale <= config.nanClearsAtLrScale()
                || config.nanClearsAtBaseLr() > 0 && config.baseLr() * lrScale <= config.nanClearsAtBaseLr();
        if (next == config.nanAtStep() && nanFailures < config.nanRepeats() && !cleared) {
            nanFailures++;
            NonFiniteStepException.requireFiniteLoss(next, "dino_global_crops_loss", Double.NaN);
        }
        double loss = 0;
        double lr = config.lr() * lrScale;
        double teacherMean = 0;
        for (int i = 0; i < student.length; i++) {
            double g = student[i] - target(i);
            loss += 0.5 * g * g;
            momentum[i] = 0.9 * momentum[i] + g;
            student[i] -= lr * momentum[i];
            teacher[i] = 0.9 * teacher[i] + 0.1 * student[i];
            teacherMean += teacher[i] / student.length;
        }
        center = 0.9 * center + 0.1 * teacherMean;
        step = next;
        double seconds = Math.max((System.nanoTime() - started) / 1e9, 1e-6);
        return new StepResult(step, loss, Map.of("dino_global_crops_loss", loss), lr, 0.9, IMAGES_PER_STEP / seconds);
    }

    private double target(int i) {
        return shard + i;
    }

    @Override
    public void scaleLearningRate(double factor) {
        lrScale *= factor;
    }

    public double learningRateScale() {
        return lrScale;
    }

    @Override
    public void saveTo(Path directory) throws IOException {
        for (double w : student) {
            if (!Double.isFinite(w)) {
                throw new IOException("toy student weights are not finite; refusing to write a checkpoint");
            }
        }
        if (config.diskFullWhileExists() != null && Files.exists(Path.of(config.diskFullWhileExists()))) {
            // What a full disk looks like to the writer: part of a file, then ENOSPC.
            Files.write(directory.resolve("model.safetensors"), new byte[4096]);
            throw new IOException("No space left on device");
        }
        try (HostArena arena = new HostArena()) {
            Map<String, Tensor> model = new LinkedHashMap<>();
            model.put("student.w", tensor(arena, student));
            model.put("teacher.w", tensor(arena, teacher));
            model.put("dino_loss.center", tensor(arena, new double[]{center}));
            SafeTensors.write(directory.resolve("model.safetensors"), model, Map.of("format", "pt"));
            SafeTensors.write(directory.resolve("optimizer.safetensors"), Map.of("momentum", tensor(arena, momentum)),
                    Map.of());
        }
        ObjectNode trainer = JSON.createObjectNode().put("step", step).put("lr_scale", lrScale).put("shard", shard)
                .put("shards", shards);
        Files.writeString(directory.resolve("trainer.json"), JSON.writeValueAsString(trainer));
        Files.writeString(directory.resolve("config.yaml"), yaml);
    }

    private void load(Path directory) throws IOException {
        try (SafeTensorsFile model = SafeTensors.read(directory.resolve("model.safetensors"));
             SafeTensorsFile optimizer = SafeTensors.read(directory.resolve("optimizer.safetensors"))) {
            copy(model.tensor("student.w"), student);
            copy(model.tensor("teacher.w"), teacher);
            center = model.tensor("dino_loss.center").getFlat(0);
            copy(optimizer.tensor("momentum"), momentum);
        }
        JsonNode trainer = JSON.readTree(Files.readString(directory.resolve("trainer.json")));
        step = trainer.path("step").asLong();
        lrScale = trainer.path("lr_scale").asDouble(1);
    }

    private static Tensor tensor(HostArena arena, double[] values) {
        return arena.allocate(DType.F64, values.length).copyFrom(values);
    }

    private static void copy(Tensor t, double[] into) throws CheckpointMismatchException {
        if (t.numel() != into.length) {
            // As the production session: a checkpoint of another model is a mismatch, not a bad argument.
            throw new CheckpointMismatchException("toy checkpoint has " + t.numel() + " weights, the config " + into.length);
        }
        for (int i = 0; i < into.length; i++) {
            into[i] = t.getFlat(i);
        }
    }

    /** Student weights, for assertions. */
    public double[] student() {
        return student.clone();
    }

    @Override
    public void close() {
        // Plain Java arrays: nothing to release.
    }
}
