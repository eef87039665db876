package org.dinoj.model.train;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.checkpoint.CheckpointMismatchException;
import org.dinoj.model.checkpoint.SafeTensors;
import org.dinoj.model.checkpoint.SafeTensorsFile;
import org.dinoj.model.data.DataLoader;
import org.dinoj.model.data.Dataset;
import org.dinoj.model.data.Datasets;
import org.dinoj.model.data.LoaderOptions;
import org.dinoj.model.data.LoaderPosition;
import org.dinoj.model.data.SeedMixer;
import org.dinoj.model.data.Split;
import org.dinoj.model.data.augment.MultiCropAugmentation;
import org.dinoj.model.data.augment.MultiCropBatch;
import org.dinoj.model.data.augment.MultiCropCollator;
import org.dinoj.model.data.augment.MultiCropSample;
import org.dinoj.model.nn.LayerContext;
import org.dinoj.model.nn.Parameter;
import org.dinoj.model.ssl.AdamW;
import org.dinoj.model.ssl.NonFiniteStepException;
import org.dinoj.model.ssl.ParameterGroups.GroupedParameter;
import org.dinoj.model.ssl.SslSchedules;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Device;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;
import org.dinoj.model.train.config.DinoV2Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DINOv2 training run of one data shard: the model on the configured backend, its optimizer,
 * teacher and centering state, the schedules, the data loader and the learning-rate factor, with
 * checkpoints that resume it exactly.
 *
 * <p>Checkpoint files (what {@link #saveTo} writes):
 * <ul>
 *   <li>{@code model.safetensors}: {@code student.backbone.*}, {@code student.dino_head.*},
 *       [{@code student.ibot_head.*}], the same under {@code teacher.}, and with centering
 *       {@code dino_loss.center [1, K]} and {@code ibot_patch_loss.center [1, Kp]} (dinov2's
 *       buffer names); F32</li>
 *   <li>{@code optimizer.safetensors}: AdamW's {@code <student key>.exp_avg} and {@code .exp_avg_sq}</li>
 *   <li>{@code trainer.json}: a {@link TrainerState}</li>
 *   <li>{@code config.yaml}: the whole configuration the session trained with, every default
 *       written out, so the evaluation and export commands need no {@code --config}</li>
 * </ul>
 * A refused (non-finite) step applies nothing and does not advance {@link #step()}, but its batch
 * is consumed: the next step trains on the next batch.
 */
public final class DinoV2Session implements TrainingSession {
    public static final String MODEL_FILE = "model.safetensors";
    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    public static final String TRAINER_FILE = "trainer.json";
    public static final String CONFIG_FILE = "config.yaml";
    static final String DINO_CENTER = "dino_loss.center";
    static final String IBOT_CENTER = "ibot_patch_loss.center";
    /** Domain of the per-step stochastic-depth stream. */
    static final long DROP_PATH_DOMAIN = 0x44524F5050415448L;

    private static final Logger LOG = LoggerFactory.getLogger(DinoV2Session.class);
    static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final DinoV2Config config;
    private final int shard;
    private final int shards;
    private final Backend backend;
    private final TensorAllocator allocator;
    private final DinoV2Model model;
    private final DinoV2Step trainStep;
    private final SslSchedules schedules;
    private final DataLoader<MultiCropSample, MultiCropBatch> loader;
    private long step;
    /** The training dataset's fingerprint, kept in trainer.json. */
    private final String datasetFingerprint;
    /** What resuming noticed that people should see (the dataset changed since the checkpoint), or null. */
    private String resumeNote;
    private double lrScale = 1;
    private long refusedSteps;

    private DinoV2Session(DinoV2Config config, int shard, int shards, Path checkpoint) throws IOException {
        if (shards < 1 || shard < 0 || shard >= shards) {
            throw new IllegalArgumentException("shard " + shard + " of " + shards + " is not a valid shard");
        }
        this.config = config;
        this.shard = shard;
        this.shards = shards;
        int batch = config.train().batchSizePerGpu();
        Dataset dataset = Datasets.open(config.data().requireDataset(), Split.TRAIN);
        this.datasetFingerprint = dataset.fingerprint();
        this.backend = Backends.open(config.compute());
        try {
            this.allocator = backend.newArena();
            LayerContext context = new LayerContext(backend, allocator, DType.F32);
            this.model = new DinoV2Model(context, config.vit(), config.dinoHead(),
                    config.ibot().separateHead() ? config.ibotHead() : null, config.train().seed());
            MultiCropCollator collator = new MultiCropCollator(config.masking(), config.crops().globalCropsSize());
            this.trainStep = new DinoV2Step(context, model, config.ssl(), batch, config.student().inChans(),
                    config.crops().globalCropsSize(), config.crops().localCropsSize(), config.crops().localCropsNumber(),
                    collator.maskedPatchUpperbound(batch));
            // Each shard is its own optimizer (DiLoCo's inner steps), so the sqrt rule sees its own batch.
            this.schedules = new SslSchedules(config.ssl(), batch);
            LoaderPosition position = LoaderPosition.START;
            if (checkpoint != null) {
                position = restore(checkpoint);
            }
            LoaderOptions options = new LoaderOptions(batch, config.train().seed(), config.data().workers(),
                    config.data().prefetch(), shard, shards, true, true, config.data().maxBadFraction());
            this.loader = DataLoader.of(dataset, new MultiCropAugmentation(config.augmentation()), collator, options,
                    position);
        } catch (IOException | RuntimeException | Error e) {
            closeQuietly();
            throw e;
        }
        LOG.info("DINOv2 session: {} on {} ({}), shard {}/{}, step {} of {}, batch {}, {}", config.vit().name(),
                backend.name(), backend.precision(), shard, shards, step, totalSteps(), batch,
                checkpoint == null ? "fresh from seed " + config.train().seed() : "resumed from " + checkpoint);
    }

    /**
     * Opens shard {@code shard} of {@code shards}: fresh from {@code train.seed} when
     * {@code checkpoint} is null, else restored from that (verified) checkpoint directory.
     */
    public static DinoV2Session open(DinoV2Config config, int shard, int shards, Path checkpoint) throws IOException {
        return new DinoV2Session(config, shard, shards, checkpoint);
    }

    public DinoV2Config config() {
        return config;
    }

    public DinoV2Model model() {
        return model;
    }

    /** The step machinery (for tests and benchmarks). */
    public DinoV2Step stepper() {
        return trainStep;
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
    public Optional<String> resumeNote() {
        return Optional.ofNullable(resumeNote);
    }

    /** Where the loader stands: the batch the next step trains on. */
    public LoaderPosition dataPosition() {
        return loader.position();
    }

    public double learningRateScale() {
        return lrScale;
    }

    @Override
    public StepResult trainStep() throws NonFiniteStepException {
        long start = System.nanoTime();
        MultiCropBatch batch = loader.next();
        SslSchedules.Values values = schedules.at(step);
        SplittableRandom dropPath = new SplittableRandom(
                SeedMixer.mix(DROP_PATH_DOMAIN, config.train().seed(), shard, step));
        StepOutcome outcome;
        try {
            outcome = trainStep.run(batch, step, values, lrScale, dropPath);
        } catch (NonFiniteStepException e) {
            refusedSteps++;
            LOG.warn("shard {}: {}", shard, e.getMessage());
            throw e;
        }
        step++;
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Double> terms = new LinkedHashMap<>(outcome.terms().logged());
        outcome.gradientNorms().forEach((module, norm) -> terms.put("grad_norm_" + module, norm));
        LOG.debug("shard {} step {}: loss {} ({}), lr {}, {} masked patches, {} s", shard, step, outcome.loss(), terms,
                values.lr() * lrScale, outcome.maskedPatches(), seconds);
        return new StepResult(step, outcome.loss(), terms, values.lr() * lrScale, values.teacherMomentum(),
                config.train().batchSizePerGpu() / seconds);
    }

    /**
     * Multiplies every learning rate (the last layer's too) by {@code factor} from the next step on;
     * the accumulated factor is saved in trainer.json.
     */
    @Override
    public void scaleLearningRate(double factor) {
        if (!(factor > 0) || !Double.isFinite(factor)) {
            throw new IllegalArgumentException("learning-rate factor " + factor + " must be a positive finite number");
        }
        lrScale *= factor;
        LOG.info("shard {}: learning rate scaled by {} (now x{} the schedule)", shard, factor, lrScale);
    }

    @Override
    public void saveTo(Path directory) throws IOException {
        trainStep.settleCenters();
        try (HostArena staging = new HostArena()) {
            Map<String, Tensor> modelTensors = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> e : model.checkpointParameters().entrySet()) {
                modelTensors.put(e.getKey(), finiteHostCopy(e.getKey(), e.getValue().value(), staging));
            }
            if (trainStep.dinoCenter() != null) {
                modelTensors.put(DINO_CENTER, finiteHostCopy(DINO_CENTER, trainStep.dinoCenter(), staging));
                modelTensors.put(IBOT_CENTER, finiteHostCopy(IBOT_CENTER, trainStep.ibotCenter(), staging));
            }
            Map<String, Tensor> moments = new LinkedHashMap<>();
            AdamW adamw = trainStep.optimizer();
            List<GroupedParameter> params = adamw.parameters();
            for (int i = 0; i < params.size(); i++) {
                String key = optimizerKey(params.get(i));
                moments.put(key + ".exp_avg", finiteHostCopy(key + ".exp_avg", adamw.firstMoment(i), staging));
                moments.put(key + ".exp_avg_sq", finiteHostCopy(key + ".exp_avg_sq", adamw.secondMoment(i), staging));
            }
            Map<String, String> meta = Map.of("format", "dinoj", "step", Long.toString(step), "arch", config.vit().name());
            SafeTensors.write(directory.resolve(MODEL_FILE), modelTensors, meta);
            SafeTensors.write(directory.resolve(OPTIMIZER_FILE), moments, meta);
        }
        LoaderPosition position = loader.position();
        TrainerState state = new TrainerState(TrainerState.FORMAT, step, step / config.train().officialEpochLength(),
                position.epoch(), position.stepInEpoch(), trainStep.optimizer().stepCount(), lrScale,
                config.train().seed(), shard, shards, config.train().centering().key(), config.recipeSha256(),
                refusedSteps, datasetFingerprint);
        Files.writeString(directory.resolve(TRAINER_FILE), JSON.writeValueAsString(state));
        writeConfig(directory, config);
    }

    static void writeConfig(Path directory, DinoV2Config config) throws IOException {
        Files.writeString(directory.resolve(CONFIG_FILE), config.toYaml());
    }

    /**
     * The configuration {@code checkpoint} was trained with, {@code overrides} applied; empty for a
     * checkpoint written before dinoj kept it ({@value #CONFIG_FILE}).
     */
    public static Optional<DinoV2Config> trainedConfig(Path checkpoint, List<String> overrides) {
        return configFile(checkpoint).map(file -> DinoV2Config.load(file.toString(), overrides));
    }

    /** {@code checkpoint}'s {@value #CONFIG_FILE}; empty for a checkpoint written before dinoj kept it. */
    public static Optional<Path> configFile(Path checkpoint) {
        Path file = checkpoint.resolve(CONFIG_FILE);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    private static String optimizerKey(GroupedParameter g) {
        return "student." + g.subModule() + "." + g.parameter().name();
    }

    /** The tensor on the host (a copy for device tensors); refuses NaN and infinities by name. */
    private Tensor finiteHostCopy(String name, Tensor t, HostArena staging) throws IOException {
        Tensor host = t;
        if (t.device() != Device.CPU) {
            host = staging.allocate(t.dtype(), t.shape());
            backend.copy(t, host);
            backend.synchronize();
        }
        long n = host.numel();
        boolean fast = host.isContiguous() && host.dtype() == DType.F32;
        for (long i = 0; i < n; i++) {
            double v = fast ? host.data().getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i) : host.getFlat(i);
            if (!Double.isFinite(v)) {
                throw new IOException("refusing to write a checkpoint at step " + step + ": " + name + " holds " + v
                        + " at element " + i + "; non-finite weights never reach a checkpoint");
            }
        }
        return host;
    }

    /** Loads every tensor and the trainer state from {@code dir}; returns the loader position to resume at. */
    private LoaderPosition restore(Path dir) throws IOException {
        TrainerState state;
        try {
            state = JSON.readValue(Files.readString(dir.resolve(TRAINER_FILE)), TrainerState.class);
        } catch (NoSuchFileException e) {
            throw new IOException("checkpoint " + dir + " has no " + TRAINER_FILE + ": it was not written by a DINOv2 session", e);
        }
        if (!TrainerState.FORMAT.equals(state.format())) {
            throw new IOException("checkpoint " + dir + " has trainer format '" + state.format() + "', expected "
                    + TrainerState.FORMAT);
        }
        if (!config.train().centering().key().equals(state.centering())) {
            throw new CheckpointMismatchException("checkpoint " + dir + " was trained with train.centering=" + state.centering()
                    + " but the configuration says " + config.train().centering().key() + ": use the checkpoint's mode");
        }
        if (!config.recipeSha256().equals(state.configSha256())) {
            LOG.warn("checkpoint {} was written under another configuration (recipe sha256 {} vs {}): resuming with the"
                    + " current one", dir, state.configSha256(), config.recipeSha256());
        }
        if (state.dataset() != null && !state.dataset().equals(datasetFingerprint)) {
            resumeNote = "the training dataset changed since the checkpoint of step " + state.step() + " (" + state.dataset()
                    + " then, " + datasetFingerprint + " now): the batches from here on are drawn from it as it is now";
            LOG.warn("{}: {}", dir, resumeNote);
        }
        if (state.shard() != shard || state.shards() != shards) {
            LOG.warn("checkpoint {} holds the trainer state of shard {}/{}; continuing it as shard {}/{}", dir,
                    state.shard(), state.shards(), shard, shards);
        }
        loadWeights(dir);
        try (SafeTensorsFile file = SafeTensors.read(dir.resolve(OPTIMIZER_FILE))) {
            AdamW adamw = trainStep.optimizer();
            List<GroupedParameter> params = adamw.parameters();
            for (int i = 0; i < params.size(); i++) {
                String key = optimizerKey(params.get(i));
                load(file, key + ".exp_avg", adamw.firstMoment(i));
                load(file, key + ".exp_avg_sq", adamw.secondMoment(i));
            }
            adamw.restoreStepCount(state.optimizerSteps());
        }
        this.step = state.step();
        this.lrScale = state.lrScale();
        this.refusedSteps = state.refusedSteps();
        return new LoaderPosition(state.dataEpoch(), state.dataStepInEpoch());
    }

    /** Student, teacher and centering state from {@code dir}'s model file; nothing else. */
    private void loadWeights(Path dir) throws IOException {
        try (SafeTensorsFile file = SafeTensors.read(dir.resolve(MODEL_FILE))) {
            for (Map.Entry<String, Parameter> e : model.checkpointParameters().entrySet()) {
                load(file, e.getKey(), e.getValue().value());
            }
            if (trainStep.dinoCenter() != null) {
                load(file, DINO_CENTER, trainStep.dinoCenter());
                load(file, IBOT_CENTER, trainStep.ibotCenter());
            }
        }
    }

    /**
     * A retraining: a fresh session of {@code config} (step 0, new optimizer state, schedules and
     * data from the start) whose weights and centering state come from checkpoint {@code base}.
     */
    public static DinoV2Session openFromWeights(DinoV2Config config, int shard, int shards, Path base)
            throws IOException {
        DinoV2Session session = new DinoV2Session(config, shard, shards, null);
        try {
            session.loadWeights(base);
        } catch (IOException | RuntimeException e) {
            session.close();
            throw e;
        }
        LOG.info("DINOv2 session shard {}/{} starts from the weights of {}", shard, shards, base);
        return session;
    }

    private void load(SafeTensorsFile file, String key, Tensor target) throws IOException {
        CheckpointTensors.load(backend, file, key, target, config.vit().name());
    }

    @Override
    public void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        if (loader != null) {
            loader.close();
        }
        if (trainStep != null) {
            trainStep.close();
        }
        if (allocator instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing the tensor arena failed", e);
            }
        }
        if (backend != null) {
            backend.close();
        }
    }
}
