package org.dinoj.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import org.dinoj.model.checkpoint.SafeTensors;
import org.dinoj.model.checkpoint.SafeTensorsFile;
import org.dinoj.model.config.ConfigException;
import org.dinoj.model.ssl.CenteringMode;
import org.dinoj.model.ssl.NonFiniteStepException;
import org.dinoj.model.train.config.DinoV2Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration, checkpoints and exact resume of a DINOv2 session on the tiny-test preset. */
class DinoV2SessionTest {
    @TempDir
    Path dir;

    @Test
    void presetsLoadWithDinov2KeyNames() {
        DinoV2Config fmnist = DinoV2Config.load("fashion-mnist", List.of());
        assertThat(fmnist.vit().embedDim()).isEqualTo(192);
        assertThat(fmnist.vit().imageSize()).isEqualTo(28);
        assertThat(fmnist.vit().inChannels()).isEqualTo(1);
        assertThat(fmnist.train().officialEpochLength()).isEqualTo(100);
        assertThat(fmnist.compute().precision()).isEqualTo("bf16");
        DinoV2Config vits14 = DinoV2Config.load("vits14", List.of("train.centering=sinkhorn_knopp"));
        assertThat(vits14.vit().patchSize()).isEqualTo(14);
        assertThat(vits14.vit().gridSize()).isEqualTo(16);
        assertThat(vits14.crops().localCropsSize()).isEqualTo(98);
        assertThat(vits14.train().centering()).isEqualTo(CenteringMode.SINKHORN_KNOPP);
        DinoV2Config tiny = DinoV2Config.load("tiny-test", List.of("train.OFFICIAL_EPOCH_LENGTH=7",
                "crops.global_crops_scale=[0.5, 1.0]"));
        assertThat(tiny.train().officialEpochLength()).isEqualTo(7);
        assertThat(tiny.crops().globalCropsScale().min()).isEqualTo(0.5);
        assertThat(tiny.totalSteps()).isEqualTo(4 * 7);
        DinoV2Config shallow = DinoV2Config.load("fashion-mnist", List.of("student.depth=3", "student.patch_size=7",
                "crops.local_crops_size=14"));
        assertThat(shallow.vit().depth()).isEqualTo(3);
        assertThat(shallow.vit().embedDim()).isEqualTo(192);
        assertThat(shallow.vit().gridSize()).isEqualTo(4);
        assertThat(DinoV2Config.parse(shallow.toYaml())).isEqualTo(shallow);
        assertThat(fmnist.augmentation().colorJitterProbability()).isEqualTo(0.8);
        assertThat(fmnist.augmentation().solarizeProbability()).isEqualTo(0.2);
        DinoV2Config plain = DinoV2Config.load("fashion-mnist", List.of("data.color_jitter_probability=0",
                "data.solarize_probability=0.5"));
        assertThat(plain.augmentation().colorJitterProbability()).isZero();
        assertThat(plain.augmentation().solarizeProbability()).isEqualTo(0.5);
        // What toYaml writes reads back as the same configuration.
        assertThat(DinoV2Config.parse(tiny.toYaml())).isEqualTo(tiny);
        assertThat(tiny.toYaml()).contains("OFFICIAL_EPOCH_LENGTH: 7").contains("centering: centering");
    }

    @Test
    void configurationMistakesAreOneSentenceNamingTheKey() {
        assertThatThrownBy(() -> DinoV2Config.load("tiny-test", List.of("train.official_epoch_length=7")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("train.official_epoch_length")
                .hasMessageContaining("OFFICIAL_EPOCH_LENGTH");
        assertThatThrownBy(() -> DinoV2Config.load("tiny-test", List.of("student.depth=0")))
                .hasMessageContaining("student.depth is 0");
        assertThatThrownBy(() -> DinoV2Config.load("tiny-test", List.of("optim.base_learning_rate=1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("optim.base_learning_rate");
        assertThatThrownBy(() -> DinoV2Config.load("tiny-test", List.of("train.centering=median")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("train.centering")
                .hasMessageContaining("sinkhorn_knopp");
        assertThatThrownBy(() -> DinoV2Config.load("tiny-test", List.of("optim=3")))
                .isInstanceOf(ConfigException.class).hasMessage("config key 'optim' in tiny-test is a section: set"
                        + " its keys (optim.KEY=VALUE, or KEY: VALUE lines under it), not a value");
        assertThatThrownBy(() -> DinoV2Config.load("tiny-test", List.of("data.solarize_probability=2")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("data.solarize_probability is 2.0");
        assertThatThrownBy(() -> DinoV2Config.load("tiny-test", List.of("crops.local_crops_size=6")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("local_crops_size 6")
                .hasMessageContaining("patch size 4");
    }

    /** A retraining whose model cannot take its base's weights is refused from the base's config.yaml alone. */
    @Test
    void checkBaseRefusesAModelOfOtherSizesThanTheBasesAndNamesWhatDiffers(@TempDir Path dir) throws IOException {
        TrainingSessionFactory factory = new DinoV2SessionFactory();
        Path base = Files.createDirectories(dir.resolve("base"));
        DinoV2Session.writeConfig(base, DinoV2Config.load("fashion-mnist", List.of()));
        // Rates, schedules and data aside, the same model takes the weights.
        factory.checkBase(DinoV2Config.load("fashion-mnist", List.of("optim.base_lr=0.01", "optim.epochs=5",
                "data.dataset=synthetic:100", "student.drop_path_rate=0", "teacher.momentum_teacher=0.995")).toYaml(), base);
        assertThatThrownBy(() -> factory.checkBase(DinoV2Config.load("fashion-mnist", List.of("student.depth=3",
                "dino.head_n_prototypes=512")).toYaml(), base))
                .isInstanceOf(ConfigException.class)
                .hasMessage("the weights of " + base + " do not fit this configuration's model (student.depth 6 there, 3"
                        + " here; dino.head_n_prototypes 1024 there, 512 here): use the model keys of its config.yaml");
        assertThatThrownBy(() -> factory.checkBase(DinoV2Config.load("fashion-mnist", List.of("student.layerscale=1e-5"))
                .toYaml(), base)).hasMessageContaining("student.layerscale 0 (none) there, on here");
        assertThatThrownBy(() -> factory.checkBase(DinoV2Config.load("fashion-mnist", List.of("crops.global_crops_size=35",
                "crops.local_crops_size=21")).toYaml(), base))
                .hasMessageContaining("(position grid) 4x4 there, 5x5 here");
        // Centering loads the base's centres, which Sinkhorn-Knopp never saved; the other way round is fine.
        assertThatThrownBy(() -> factory.checkBase(DinoV2Config.load("fashion-mnist", List.of("train.centering=centering"))
                .toYaml(), base)).hasMessageContaining("train.centering sinkhorn_knopp there (no centres saved), centering here");
        assertThatThrownBy(() -> factory.checkBase(DinoV2Config.load("fashion-mnist", List.of("ibot.separate_head=true"))
                .toYaml(), base)).hasMessageContaining("(ibot.separate_head false there, true here)");
        Path separate = Files.createDirectories(dir.resolve("separate"));
        DinoV2Session.writeConfig(separate, DinoV2Config.load("fashion-mnist", List.of("ibot.separate_head=true",
                "train.centering=centering")));
        factory.checkBase(DinoV2Config.load("fashion-mnist", List.of()).toYaml(), separate);
        // Its iBOT centre has the separate head's K: a shared head of another K cannot take it.
        Path separateOtherK = Files.createDirectories(dir.resolve("separate-other-k"));
        DinoV2Session.writeConfig(separateOtherK, DinoV2Config.load("fashion-mnist", List.of("ibot.separate_head=true",
                "ibot.head_n_prototypes=256", "train.centering=centering")));
        assertThatThrownBy(() -> factory.checkBase(DinoV2Config.load("fashion-mnist", List.of("train.centering=centering"))
                .toYaml(), separateOtherK)).hasMessageContaining("(iBOT centre prototypes 256 there, 1024 here)");
        factory.checkBase(DinoV2Config.load("fashion-mnist", List.of()).toYaml(), separateOtherK);
        // A one-layer head has no hidden width: it does not count.
        Path oneLayer = Files.createDirectories(dir.resolve("one-layer"));
        DinoV2Session.writeConfig(oneLayer, DinoV2Config.load("fashion-mnist", List.of("dino.head_nlayers=1")));
        factory.checkBase(DinoV2Config.load("fashion-mnist", List.of("dino.head_nlayers=1", "dino.head_hidden_dim=64"))
                .toYaml(), oneLayer);
        // Without config.yaml (an older or imported checkpoint) the first round compares tensor by tensor.
        factory.checkBase(DinoV2Config.load("fashion-mnist", List.of("student.depth=3")).toYaml(),
                Files.createDirectories(dir.resolve("bare")));
    }

    /** What open would refuse, check refuses without opening anything: a job is refused when submitted. */
    @Test
    void theFactorysCheckRefusesWhatOpenWouldRefuse() throws IOException {
        TrainingSessionFactory factory = new DinoV2SessionFactory();
        String fmnist = DinoV2Config.load("fashion-mnist", List.of()).toYaml();
        factory.check(fmnist);
        for (String[] bad : new String[][]{
                {"student.patch_size=5", "is not a multiple of the patch size 5"},
                {"student.num_heads=5", "num_heads"},
                {"dino.head_n_prototypes=0", "head_n_prototypes"},
                {"crops.global_crops_scale=[1.5, 0.2]", "global_crops_scale"},
                {"ibot.mask_ratio_min=0.9", "mask_ratio"},
                {"compute.precision=bf17", "compute.precision"},
                {"optim.base_lr=fast", "optim.base_lr"},
                {"data.dataset=synthetic:abc", "is not of the form synthetic:N"},
                {"eval.dataset=tfrecord:/x", "unknown dataset 'tfrecord:/x'"}}) {
            String yaml = org.dinoj.model.config.ConfigLoader.withOverrides(fmnist, List.of(bad[0]));
            assertThatThrownBy(() -> factory.check(yaml)).as(bad[0]).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad[1]);
            assertThatThrownBy(() -> factory.open(yaml, 0, 1, null).close()).as(bad[0])
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void theFactoryIsFoundThroughServiceLoader() {
        assertThat(ServiceLoader.load(TrainingSessionFactory.class).stream().map(ServiceLoader.Provider::type))
                .contains(DinoV2SessionFactory.class);
    }

    /**
     * A session saved at step 3 and reopened continues bit for bit as the uninterrupted one (same
     * thread count: the test JVM's), learning-rate factor included; checkpoints hold the documented keys.
     */
    @Test
    void aReopenedSessionContinuesExactlyAsTheUninterruptedOne() throws IOException, NonFiniteStepException {
        String yaml = DinoV2Config.load("tiny-test", List.of("train.centering=centering")).toYaml();
        TrainingSessionFactory factory = new DinoV2SessionFactory();
        Path atThree = Files.createDirectory(dir.resolve("a3"));
        Path uninterrupted = Files.createDirectory(dir.resolve("a6"));
        Path resumed = Files.createDirectory(dir.resolve("b6"));
        try (TrainingSession a = factory.open(yaml, 0, 1, null)) {
            assertThat(a.totalSteps()).isEqualTo(40);
            for (int i = 0; i < 3; i++) {
                StepResult r = a.trainStep();
                assertThat(r.step()).isEqualTo(i + 1);
                assertThat(r.loss()).isFinite();
                assertThat(r.lossTerms()).containsKeys("dino_local_crops_loss", "dino_global_crops_loss", "koleo_loss",
                        "ibot_loss", "total_loss");
            }
            a.scaleLearningRate(0.5);
            a.saveTo(atThree);
            for (int i = 0; i < 3; i++) {
                a.trainStep();
            }
            a.saveTo(uninterrupted);
        }
        try (TrainingSession b = factory.open(yaml, 0, 1, atThree)) {
            assertThat(b.step()).isEqualTo(3);
            assertThat(b.resumeNote()).isEmpty();
            for (int i = 0; i < 3; i++) {
                b.trainStep();
            }
            assertThat(b.step()).isEqualTo(6);
            b.saveTo(resumed);
        }
        for (String file : List.of(DinoV2Session.MODEL_FILE, DinoV2Session.OPTIMIZER_FILE, DinoV2Session.TRAINER_FILE,
                DinoV2Session.CONFIG_FILE)) {
            assertThat(Files.readAllBytes(resumed.resolve(file))).as(file)
                    .isEqualTo(Files.readAllBytes(uninterrupted.resolve(file)));
        }
        assertThat(Files.readString(resumed.resolve(DinoV2Session.TRAINER_FILE))).contains("\"lr_scale\" : 0.5")
                .contains("\"step\" : 6");
        // The checkpoint names its configuration: loaded back it is the same recipe, every key included.
        DinoV2Config trained = DinoV2Session.trainedConfig(resumed, List.of()).orElseThrow();
        assertThat(trained.toYaml()).isEqualTo(yaml);
        assertThat(trained.recipeSha256()).isEqualTo(DinoV2Config.parse(yaml).recipeSha256());
        assertThat(DinoV2Session.trainedConfig(resumed, List.of("eval.k=7")).orElseThrow().eval().k()).isEqualTo(7);
        assertThat(DinoV2Session.trainedConfig(dir, List.of())).isEmpty();
        try (SafeTensorsFile model = SafeTensors.read(resumed.resolve(DinoV2Session.MODEL_FILE))) {
            assertThat(model.names()).contains("student.backbone.cls_token", "student.backbone.blocks.1.mlp.fc2.weight",
                    "student.dino_head.last_layer.weight_g", "teacher.backbone.pos_embed",
                    "teacher.dino_head.mlp.4.bias", "dino_loss.center", "ibot_patch_loss.center");
            assertThat(model.names()).allMatch(n -> n.startsWith("student.") || n.startsWith("teacher.")
                    || n.startsWith("dino_loss.") || n.startsWith("ibot_patch_loss."));
        }
        try (SafeTensorsFile optimizer = SafeTensors.read(resumed.resolve(DinoV2Session.OPTIMIZER_FILE))) {
            assertThat(optimizer.names()).contains("student.backbone.cls_token.exp_avg",
                    "student.dino_head.last_layer.weight_v.exp_avg_sq");
        }
    }

    /** A tiny-test session's checkpoint after one step. */
    private Path tinyTestAfterOneStep() throws IOException, NonFiniteStepException {
        Path saved = Files.createDirectory(dir.resolve("s"));
        try (DinoV2Session s = DinoV2Session.open(DinoV2Config.load("tiny-test", List.of()), 0, 1, null)) {
            s.trainStep();
            s.saveTo(saved);
        }
        return saved;
    }

    /** Its batches are no longer the ones the job would have drawn: resumed, but said. */
    @Test
    void aSessionResumedOnAChangedDatasetSaysSo() throws IOException, NonFiniteStepException {
        Path saved = tinyTestAfterOneStep();
        assertThat(Files.readString(saved.resolve(DinoV2Session.TRAINER_FILE))).contains("\"dataset\" : \"64 images, 10 classes\"");
        DinoV2Config grown = DinoV2Config.load("tiny-test", List.of("data.dataset=synthetic:80:16x16x1"));
        try (DinoV2Session resumed = DinoV2Session.open(grown, 0, 1, saved)) {
            assertThat(resumed.step()).isEqualTo(1);
            assertThat(resumed.resumeNote()).contains("the training dataset changed since the checkpoint of step 1"
                    + " (64 images, 10 classes then, 80 images, 10 classes now): the batches from here on are drawn from it"
                    + " as it is now");
        }
    }

    @Test
    void aCheckpointOfAnotherArchitectureIsRefusedNamingTheTensor() throws IOException, NonFiniteStepException {
        Path saved = tinyTestAfterOneStep();
        DinoV2Config wider = DinoV2Config.load("tiny-test", List.of("dino.head_n_prototypes=48"));
        assertThatThrownBy(() -> DinoV2Session.open(wider, 0, 1, saved))
                .isInstanceOf(org.dinoj.model.checkpoint.CheckpointMismatchException.class)
                .hasMessageContaining("student.dino_head.last_layer.weight_g");
        // A retraining's base of another width, as a worker meets it: the same refusal, never an I/O error to retry.
        DinoV2Config wide = DinoV2Config.load("tiny-test", List.of("student.arch=vit_tiny_p4"));
        assertThatThrownBy(() -> DinoV2Session.openFromWeights(wide, 0, 1, saved))
                .isInstanceOf(org.dinoj.model.checkpoint.CheckpointMismatchException.class)
                .hasMessageContaining("belongs to another architecture");
    }

    /** Retraining: weights from the base checkpoint, everything else as a fresh run. */
    @Test
    void openFromWeightsTakesTheWeightsAndStartsTheRestAfresh() throws Exception {
        DinoV2Config tiny = DinoV2Config.load("tiny-test", List.of());
        Path base = Files.createDirectories(dir.resolve("base"));
        try (DinoV2Session trained = DinoV2Session.open(tiny, 0, 1, null)) {
            trained.trainStep();
            trained.trainStep();
            trained.saveTo(base);
        }
        Path retrained = Files.createDirectories(dir.resolve("retrained"));
        Path fresh = Files.createDirectories(dir.resolve("fresh"));
        try (TrainingSession session = new DinoV2SessionFactory().openFromWeights(tiny.toYaml(), 0, 1, base);
             DinoV2Session scratch = DinoV2Session.open(tiny, 0, 1, null)) {
            assertThat(session.step()).isZero();
            session.saveTo(retrained);
            scratch.saveTo(fresh);
        }
        try (SafeTensorsFile b = SafeTensors.read(base.resolve(DinoV2Session.MODEL_FILE));
             SafeTensorsFile r = SafeTensors.read(retrained.resolve(DinoV2Session.MODEL_FILE));
             SafeTensorsFile f = SafeTensors.read(fresh.resolve(DinoV2Session.MODEL_FILE))) {
            String key = "student.backbone.blocks.0.attn.qkv.weight";
            assertThat(r.tensor(key).toFloatArray()).containsExactly(b.tensor(key).toFloatArray());
            assertThat(r.tensor(key).toFloatArray()).isNotEqualTo(f.tensor(key).toFloatArray());
        }
        // Optimizer state is new: the moments of a never-stepped optimizer are zero.
        try (SafeTensorsFile o = SafeTensors.read(retrained.resolve(DinoV2Session.OPTIMIZER_FILE))) {
            String moment = o.names().stream().filter(n -> n.endsWith(".exp_avg")).findFirst().orElseThrow();
            for (float v : o.tensor(moment).toFloatArray()) {
                assertThat(v).isZero();
            }
        }
    }
}
