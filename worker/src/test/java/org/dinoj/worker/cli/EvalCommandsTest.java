package org.dinoj.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.dinoj.model.data.Datasets;
import org.dinoj.model.data.Split;
import org.dinoj.model.eval.FeatureExtraction;
import org.dinoj.model.eval.LabeledFeatures;
import org.dinoj.model.eval.LinearProbe;
import org.dinoj.model.eval.LinearProbeResult;
import org.dinoj.model.eval.RawPixelFeatures;
import org.dinoj.model.train.TeacherFeatures;
import org.dinoj.model.train.config.DinoV2Config;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dinoj eval linear | embed | attention}, run in-process on synthetic data and a real tiny-test checkpoint. */
class EvalCommandsTest {
    private static final String SPEC = "synthetic:96:16x16x1:4";

    @TempDir
    static Path shared;
    private static Path checkpoint;

    @BeforeAll
    static void trainOneStep() throws Exception {
        checkpoint = TinyCheckpoint.afterOneStep(shared);
    }

    private static LabeledFeatures rawPixels(Split split) {
        return FeatureExtraction.extract(Datasets.open(SPEC, split), new RawPixelFeatures(), 256);
    }

    @Test
    void linearJsonIsTheLibraryProbeScoredOnTheTestSplit() {
        CliRun run = CliRun.dinoj("eval", "linear", "--dataset", SPEC, "--learning-rates", "0,0.1,1", "--weight-decays", "0",
                "--epochs", "30", "--seed", "3", "--json");
        assertThat(run.code()).as(run.err()).isZero();
        LinearProbeResult expected = new LinearProbe(LinearProbe.grid(List.of(0.0, 0.1, 1.0), List.of(0.0)), 30, 256, 0.1, 3)
                .fit(rawPixels(Split.TRAIN));
        double expectedTest = expected.testAccuracy(rawPixels(Split.TEST));
        Matcher m = Pattern.compile("\\{\"features\":\"raw-pixels\",\"dataset\":\"" + Pattern.quote(SPEC)
                + "\",\"fit\":" + expected.split().fit().length + ",\"held_out\":" + expected.split().heldOut().length
                + ",\"test\":96,\"epochs\":30,\"grid\":\\[(.*)],\"chosen\":\\{\"lr\":([0-9.]+),"
                + "\"weight_decay\":0.0},\"test_top1\":([0-9.]+),\"warnings\":\\[]}").matcher(run.out().strip());
        assertThat(m.matches()).as(run.out()).isTrue();
        assertThat(Double.parseDouble(m.group(2))).isEqualTo(expected.chosen().config().learningRate());
        assertThat(Double.parseDouble(m.group(3))).isEqualTo(expectedTest);
        // lr 0 keeps the zero classifier (chance: 25% on 4 balanced classes); a trained point must win and beat it.
        assertThat(m.group(1)).startsWith("{\"lr\":0.0,\"weight_decay\":0.0,\"held_out_top1\":");
        assertThat(expected.chosen().config().learningRate()).isPositive();
        assertThat(expectedTest).isGreaterThan(35.0);
    }

    @Test
    void linearTableMarksTheChosenGridPoint() {
        CliRun run = CliRun.dinoj("eval", "linear", "--dataset", SPEC, "--learning-rates", "0.1", "--weight-decays", "0,1e-4",
                "--epochs", "2");
        assertThat(run.code()).as(run.err()).isZero();
        var split = org.dinoj.model.eval.LinearProbe.split(96, LinearProbe.DEFAULT_HELD_OUT_FRACTION, 0);
        assertThat(split.fit().length + split.heldOut().length).isEqualTo(96);
        assertThat(run.out()).contains("linear probe on raw-pixels features of " + SPEC + ": 96 train images ("
                        + split.fit().length + " fit, " + split.heldOut().length + " held out)")
                .contains("<- chosen").containsPattern("test top-1: [0-9]+\\.[0-9]{2}%");
        assertThat(run.out().lines().filter(l -> l.contains("<- chosen")).count()).isEqualTo(1);
        assertThat(run.out()).doesNotContain("warning");

        // Nearly all held out: 1 fit row of the 4 classes; said above the table.
        CliRun most = CliRun.dinoj("eval", "linear", "--dataset", SPEC, "--learning-rates", "0.1", "--weight-decays", "0",
                "--epochs", "2", "--held-out", "0.99");
        assertThat(most.code()).as(most.err()).isZero();
        assertThat(most.out()).contains("warning: the linear probe 3 of the 4 classes of the train split have no image"
                + " among the 1 rows it fits on, so it never predicts them: hold out a smaller fraction")
                .contains("warning: the linear probe it fits on 1 rows and holds out 95");
    }

    @Test
    void embedWritesTheTeacherFeaturesOfBothSplits(@TempDir Path out) throws Exception {
        CliRun run = CliRun.dinoj("eval", "embed", "--checkpoint", checkpoint.toString(), "--config", "tiny-test",
                "--dataset", SPEC, "--out", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        DinoV2Config config = DinoV2Config.load("tiny-test", List.of());
        for (Split split : Split.values()) {
            String name = split.name().toLowerCase(java.util.Locale.ROOT);
            LabeledFeatures expected;
            try (TeacherFeatures teacher = TeacherFeatures.open(config, checkpoint)) {
                expected = FeatureExtraction.extract(Datasets.open(SPEC, split), teacher, config.eval().batchSize());
            }
            ByteBuffer features = npyData(out.resolve(name + "-features.npy"),
                    "'descr': '<f4', 'fortran_order': False, 'shape': (96, " + expected.features().dim() + ")");
            float[] values = expected.features().values();
            for (int i = 0; i < values.length; i++) {
                assertThat(features.getFloat()).as("%s feature %d", name, i).isEqualTo(values[i]);
            }
            ByteBuffer labels = npyData(out.resolve(name + "-labels.npy"), "'descr': '<i4', 'fortran_order': False, 'shape': (96,)");
            for (int i = 0; i < 96; i++) {
                assertThat(labels.getInt()).isEqualTo(expected.labels()[i]);
            }
            assertThat(run.out()).contains(name + ": 96 x " + expected.features().dim() + " teacher-cls features");
        }
    }

    @Test
    void embedOfAFolderNamesEachRowsFileLeavesADamagedImageOutAndWritesAFolderWithoutSplitsOnce(@TempDir Path dir)
            throws Exception {
        Path images = dir.resolve("photos");
        java.nio.file.Files.createDirectories(images.resolve("sub"));
        for (int i = 0; i < 6; i++) {
            java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
            image.getRaster().setSample(i, i, 0, 200);
            javax.imageio.ImageIO.write(image, "png", images.resolve(i < 3 ? "p" + i + ".png" : "sub/q" + i + ".png").toFile());
        }
        java.nio.file.Files.writeString(images.resolve("p1b.png"), "not a png");
        Path out = dir.resolve("out");
        CliRun run = CliRun.dinoj("eval", "embed", "--dataset", "folder:" + images, "--set", "data.max_bad_fraction=0.2",
                "--out", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("train: 6 x 64 raw-pixels features of folder:" + images)
                .contains(" (1 damaged image(s) left out)")
                .contains("test: the same images as train (folder:" + images);
        assertThat(java.nio.file.Files.readAllLines(out.resolve("train-files.txt"))).containsExactly(
                images.resolve("p0.png").toString(), images.resolve("p1.png").toString(), images.resolve("p2.png").toString(),
                images.resolve("sub/q3.png").toString(), images.resolve("sub/q4.png").toString(),
                images.resolve("sub/q5.png").toString());
        // Row 4 is q4.png, whose one bright pixel is at (4, 4) of the 8x8 image.
        ByteBuffer features = npyData(out.resolve("train-features.npy"),
                "'descr': '<f4', 'fortran_order': False, 'shape': (6, 64)");
        float[] row4 = new float[64];
        for (int i = 0; i < 6 * 64; i++) {
            float v = features.getFloat();
            if (i / 64 == 4) {
                row4[i % 64] = v;
            }
        }
        int brightest = 0;
        for (int i = 1; i < 64; i++) {
            brightest = row4[i] > row4[brightest] ? i : brightest;
        }
        assertThat(brightest).isEqualTo(4 * 8 + 4);
        assertThat(out.resolve("test-features.npy")).doesNotExist();
    }

    @Test
    void attentionWritesTheInputEachHeadAndTheMeanPerImage(@TempDir Path out) throws Exception {
        CliRun run = CliRun.dinoj("eval", "attention", "--checkpoint", checkpoint.toString(), "--config", "tiny-test",
                "--dataset", SPEC, "--images", "0,5", "--size", "32", "--upsampling", "bilinear", "--out", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        int heads = DinoV2Config.load("tiny-test", List.of()).vit().heads();
        assertThat(run.out()).contains("image 0").contains("image 5").contains(heads + " heads on a 4x4 patch grid");
        List<String> expected = new java.util.ArrayList<>();
        for (int image : new int[] {0, 5}) {
            expected.add("img" + image + "-input.png");
            expected.add("img" + image + "-mean.png");
            for (int h = 0; h < heads; h++) {
                expected.add("img" + image + "-head" + h + ".png");
            }
        }
        try (var files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrderElementsOf(expected);
        }
        for (String name : expected) {
            BufferedImage png = ImageIO.read(out.resolve(name).toFile());
            assertThat(png.getWidth()).as(name).isEqualTo(32);
            assertThat(png.getHeight()).as(name).isEqualTo(32);
        }
    }

    @Test
    void attentionRefusesAMissingCheckpointAndAnImageOutOfRangeInOneLineWritingNothing(@TempDir Path out) throws Exception {
        CliRun none = CliRun.dinoj("eval", "attention", "--dataset", SPEC, "--out", out.toString());
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err().strip()).startsWith("dinoj: ").contains("--checkpoint").doesNotContain("\n");
        CliRun range = CliRun.dinoj("eval", "attention", "--checkpoint", checkpoint.toString(), "--config", "tiny-test",
                "--dataset", SPEC, "--images", "1,96", "--out", out.toString());
        assertThat(range.code()).isEqualTo(1);
        assertThat(range.err().strip()).startsWith("dinoj: image 96 is not in").contains("0 to 95").doesNotContain("\n");
        CliRun inside = CliRun.dinoj("eval", "attention", "--checkpoint", checkpoint.toString(), "--dataset", SPEC,
                "--out", checkpoint.resolve("maps").toString());
        assertThat(inside.code()).isEqualTo(1);
        assertThat(inside.err().strip()).isEqualTo("dinoj: --out " + checkpoint.resolve("maps") + " is inside the checkpoint"
                + " folder " + checkpoint + ": write the output elsewhere");
        CliRun into = CliRun.dinoj("eval", "embed", "--checkpoint", checkpoint.toString(), "--dataset", SPEC,
                "--out", checkpoint.toString());
        assertThat(into.err().strip()).isEqualTo("dinoj: --out " + checkpoint + " is the checkpoint folder " + checkpoint
                + ": write the output elsewhere");
        CliRun huge = CliRun.dinoj("eval", "attention", "--checkpoint", checkpoint.toString(), "--config", "tiny-test",
                "--dataset", SPEC, "--size", "100000", "--out", out.toString());
        assertThat(huge.code()).isEqualTo(1);
        assertThat(huge.err().strip()).isEqualTo("dinoj: --size 100000 must lie in [1, 8192] pixels");
        try (var files = Files.list(out)) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void embedRefusesAnUnknownSplitBeforeWriting(@TempDir Path out) {
        CliRun run = CliRun.dinoj("eval", "embed", "--dataset", SPEC, "--splits", "train,holdout", "--out", out.resolve("x").toString());
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err().strip()).isEqualTo("dinoj: unknown split 'holdout': use train or test");
        assertThat(out.resolve("x")).doesNotExist();
    }

    @Test
    void featuresAndACheckpointTogetherAreRefusedBeforeAnythingIsWritten(@TempDir Path out) {
        CliRun run = CliRun.dinoj("eval", "embed", "--features", "sift", "--checkpoint", checkpoint.toString(),
                "--config", "tiny-test", "--dataset", SPEC, "--out", out.resolve("x").toString());
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err().strip()).isEqualTo("dinoj: --features sift and --checkpoint both choose the features: give one "
                + "(a checkpoint's features are its teacher's CLS token)");
        CliRun missing = CliRun.dinoj("eval", "embed", "--checkpoint", out.resolve("none").toString(), "--config", "tiny-test",
                "--dataset", SPEC, "--out", out.resolve("y").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err().strip()).startsWith("dinoj: ").doesNotContain("\n");
        assertThat(out.resolve("x")).doesNotExist();
        assertThat(out.resolve("y")).doesNotExist();
    }

    @Test
    void aCheckpointTrainedOnCudaSaysHowToEvaluateItWhereNoCudaIs(@TempDir Path out) {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.dinoj.model.backend.cuda.CudaDevice.unavailableReason() != null,
                "this machine can use CUDA");
        CliRun gpu = CliRun.dinoj("eval", "embed", "--checkpoint", checkpoint.toString(), "--config", "tiny-test",
                "--set", "compute.backend=cuda", "--dataset", SPEC, "--out", out.resolve("x").toString());
        assertThat(gpu.code()).isEqualTo(1);
        assertThat(gpu.err().strip()).startsWith("dinoj: the configuration of " + checkpoint + " computes on cuda, which"
                + " this machine cannot use (").endsWith("): give --set compute.backend=dnnl to evaluate on the CPU");
        assertThat(out.resolve("x")).doesNotExist();
        // The advice, given after the configuration's cuda, evaluates on the CPU.
        CliRun cpu = CliRun.dinoj("eval", "embed", "--checkpoint", checkpoint.toString(), "--config", "tiny-test",
                "--set", "compute.backend=cuda", "--set", "compute.backend=dnnl", "--dataset", SPEC, "--splits", "test",
                "--out", out.resolve("y").toString());
        assertThat(cpu.code()).as(cpu.err()).isZero();
        assertThat(out.resolve("y/test-features.npy")).isRegularFile();
    }

    /** The data of a version-1 .npy file after checking its header dict, little-endian. */
    private static ByteBuffer npyData(Path file, String dictStart) throws Exception {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(all[0]).isEqualTo((byte) 0x93);
        int headerLength = b.getShort(8) & 0xffff;
        String header = new String(all, 10, headerLength, StandardCharsets.US_ASCII);
        assertThat(header).startsWith("{" + dictStart);
        return ByteBuffer.wrap(all, 10 + headerLength, all.length - 10 - headerLength).slice().order(ByteOrder.LITTLE_ENDIAN);
    }
}
