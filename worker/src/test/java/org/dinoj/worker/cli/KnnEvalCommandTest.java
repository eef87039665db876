package org.dinoj.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dinoj.model.data.Datasets;
import org.dinoj.model.data.Split;
import org.dinoj.model.eval.BlockedNeighbourSearch;
import org.dinoj.model.eval.FeatureExtraction;
import org.dinoj.model.eval.KnnAccuracy;
import org.dinoj.model.eval.KnnEvaluation;
import org.dinoj.model.eval.RawPixelFeatures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dinoj.model.train.config.DinoV2Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnnEvalCommandTest {
    /** The same evaluation through the library, to check the CLI's wiring and formatting. */
    private static List<KnnAccuracy> direct(String spec, int... ks) {
        return new KnnEvaluation(new BlockedNeighbourSearch(1)).run(
                FeatureExtraction.extract(Datasets.open(spec, Split.TRAIN), new RawPixelFeatures(), 64),
                FeatureExtraction.extract(Datasets.open(spec, Split.TEST), new RawPixelFeatures(), 64), ks, 0.07);
    }

    @Test
    void jsonPrintsOneObjectPerKWithTheLibraryResults() {
        String spec = "synthetic:120:8x8:4";
        CliRun run = CliRun.dinoj("eval", "knn", "--features", "raw-pixels", "--dataset", spec, "--json", "--ks", "1,5,500",
                "--temperature", "0.07", "--threads", "2");
        assertThat(run.code()).as(run.err()).isZero();
        List<KnnAccuracy> expected = direct(spec, 1, 5, 500);
        String[] lines = run.out().strip().split("\n");
        assertThat(lines).hasSize(3);
        Pattern object = Pattern.compile("\\{\"k\":(\\d+),\"neighbours\":(\\d+),\"top1\":([0-9.]+),\"top5\":([0-9.]+),"
                + "\"queries\":120,\"bank\":120,\"features\":\"raw-pixels\",\"dataset\":\"synthetic:120:8x8:4\",\"temperature\":0.07}");
        for (int i = 0; i < lines.length; i++) {
            Matcher m = object.matcher(lines[i]);
            assertThat(m.matches()).as(lines[i]).isTrue();
            assertThat(Integer.parseInt(m.group(1))).isEqualTo(expected.get(i).k());
            assertThat(Integer.parseInt(m.group(2))).isEqualTo(expected.get(i).neighbours());
            assertThat(Double.parseDouble(m.group(3))).isEqualTo(expected.get(i).top1());
            assertThat(Double.parseDouble(m.group(4))).isEqualTo(expected.get(i).top5());
        }
        assertThat(expected.get(2).neighbours()).isEqualTo(120); // k = 500 clamped to the bank
    }

    @Test
    void tablePrintsTopOneAndTopFivePerK() {
        String spec = "synthetic:80:8x8:3";
        CliRun run = CliRun.dinoj("eval", "knn", "--dataset", spec, "--ks", "10,20");
        assertThat(run.code()).as(run.err()).isZero();
        List<KnnAccuracy> expected = direct(spec, 10, 20);
        assertThat(run.out()).contains("raw-pixels").contains("80 train images").contains("top-1 %").contains("top-5 %");
        assertThat(run.out()).contains(String.format(java.util.Locale.ROOT, "%6s %9.2f %9.2f", "10", expected.get(0).top1(),
                expected.get(0).top5()));
        assertThat(run.out()).contains(String.format(java.util.Locale.ROOT, "%6s %9.2f %9.2f", "20", expected.get(1).top1(),
                expected.get(1).top5()));
    }

    @Test
    void checkpointTeacherFeaturesAreEvaluatedFromARealSession(@TempDir Path dir) throws Exception {
        Path checkpoint = TinyCheckpoint.afterOneStep(dir);
        CliRun run = CliRun.dinoj("eval", "knn", "--checkpoint", checkpoint.toString(), "--config", "tiny-test",
                "--dataset", "synthetic:64:16x16x1", "--ks", "5,20", "--json");
        assertThat(run.err()).isEmpty();
        assertThat(run.code()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.getFirst()).contains("\"k\":5").contains("\"features\":\"teacher-cls\"");
        // The CLI prints what the evaluator computes from the checkpoint's teacher.
        List<org.dinoj.model.eval.KnnAccuracy> expected = org.dinoj.model.train.DinoV2KnnEvaluator.evaluate(
                DinoV2Config.load("tiny-test", List.of("eval.temperature=0.07")), checkpoint, "synthetic:64:16x16x1",
                new int[] {5, 20});
        for (int i = 0; i < 2; i++) {
            assertThat(lines.get(i)).contains("\"top1\":" + expected.get(i).top1() + ",")
                    .contains("\"top5\":" + expected.get(i).top5() + ",");
        }
    }

    @Test
    void aCheckpointAloneNamesItsConfigurationAndTheDatasetItsJobEvaluatedOn(@TempDir Path dir) throws Exception {
        Path checkpoint = TinyCheckpoint.afterOneStep(dir);
        CliRun own = CliRun.dinoj("eval", "knn", "--checkpoint", checkpoint.toString(), "--ks", "5", "--json");
        assertThat(own.err()).isEmpty();
        assertThat(own.code()).isZero();
        CliRun given = CliRun.dinoj("eval", "knn", "--checkpoint", checkpoint.toString(), "--config", "tiny-test",
                "--dataset", "synthetic:64:16x16x1", "--ks", "5", "--json");
        assertThat(own.out()).contains("\"dataset\":\"synthetic:64:16x16x1\"").isEqualTo(given.out());
        // A configuration without a dataset (vits14, as 'dinoj import' uses by default): asked for, not guessed.
        CliRun none = CliRun.dinoj("eval", "knn", "--checkpoint", checkpoint.toString(), "--set", "data.dataset=null");
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err().strip()).isEqualTo("dinoj: the configuration of " + checkpoint + " names no dataset"
                + " (data.dataset, eval.dataset): give --dataset");

        // A checkpoint from before config.yaml: the old default (fashion-mnist) is another model, said in one line.
        Path older = TinyCheckpoint.withoutConfig(checkpoint, dir.resolve("older"));
        CliRun old = CliRun.dinoj("eval", "knn", "--checkpoint", older.toString(), "--dataset", "synthetic:64:16x16x1");
        assertThat(old.code()).isEqualTo(1);
        assertThat(old.err().strip()).startsWith("dinoj: ").contains("another architecture")
                .contains("holds no config.yaml, so fashion-mnist was assumed: give --config").doesNotContain("\n");

        // A file that no longer matches its manifest: refused, not scored (a flipped weight scores wrong, silently).
        java.nio.file.Path model = checkpoint.resolve(org.dinoj.model.train.DinoV2Session.MODEL_FILE);
        byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length - 1] ^= 0x40;
        Files.write(model, bytes);
        CliRun corrupt = CliRun.dinoj("eval", "knn", "--checkpoint", checkpoint.toString(), "--ks", "5");
        assertThat(corrupt.code()).isEqualTo(1);
        assertThat(corrupt.err().strip()).isEqualTo("dinoj: --checkpoint " + checkpoint + " does not verify: " + model
                + " does not match its sha256 in the manifest (corrupted)");

        // A job's directory instead of a step directory: said so, not guessed.
        CliRun notAStep = CliRun.dinoj("eval", "knn", "--checkpoint", dir.toString());
        assertThat(notAStep.code()).isEqualTo(1);
        assertThat(notAStep.err().strip()).isEqualTo("dinoj: --checkpoint " + dir + " is not a checkpoint directory: it has"
                + " no model.safetensors (give a step-NNNNNNNNNN directory of a job, or one 'dinoj import' wrote)");
    }

    /** As a job's k-NN: a damaged bank image is left out within data.max_bad_fraction (1%); a damaged query is not. */
    @Test
    void aDamagedBankImageIsLeftOutAndADamagedQueryIsNamed(@TempDir Path dir) throws Exception {
        for (int i = 0; i < 100; i++) {
            java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(4, 4,
                    java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
            image.getRaster().setSample(0, 0, 0, i);
            String name = (i % 2 == 0 ? "a" : "b") + String.format("/img%03d.png", i);
            for (String split : new String[] {"train/", "test/"}) {
                Path file = dir.resolve(split + name);
                Files.createDirectories(file.getParent());
                javax.imageio.ImageIO.write(image, "png", file.toFile());
            }
        }
        Files.write(dir.resolve("train/a/broken.png"), new byte[] {1, 2, 3});

        CliRun run = CliRun.dinoj("eval", "knn", "--dataset", "folder:" + dir, "--ks", "5");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("100 train images (bank), 100 test images (queries)");

        // Three damaged of 101 are over the 1% raw pixels leave out by default; the limit the error names can be raised.
        Files.write(dir.resolve("train/b/broken.png"), new byte[] {1, 2, 3});
        Files.write(dir.resolve("train/b/broken2.png"), new byte[] {1, 2, 3});
        CliRun over = CliRun.dinoj("eval", "knn", "--dataset", "folder:" + dir, "--ks", "5");
        assertThat(over.code()).isEqualTo(1);
        assertThat(over.err()).contains("data.max_bad_fraction");
        CliRun raised = CliRun.dinoj("eval", "knn", "--dataset", "folder:" + dir, "--ks", "5", "--set",
                "data.max_bad_fraction=0.05");
        assertThat(raised.code()).as(raised.err()).isZero();
        assertThat(raised.out()).contains("100 train images (bank)");
        // Without a checkpoint nothing else is configurable: said, not ignored.
        CliRun other = CliRun.dinoj("eval", "knn", "--dataset", "folder:" + dir, "--set", "eval.k=5");
        assertThat(other.err().strip()).isEqualTo("dinoj: --set eval.k=5 goes with --checkpoint; without one only"
                + " data.max_bad_fraction=F applies");
        CliRun config = CliRun.dinoj("eval", "knn", "--dataset", "folder:" + dir, "--config", "fashion-mnist");
        assertThat(config.err().strip()).isEqualTo("dinoj: --config goes with --checkpoint (the configuration it was"
                + " trained with); raw-pixels features take none");
        Files.delete(dir.resolve("train/b/broken.png"));
        Files.delete(dir.resolve("train/b/broken2.png"));

        Files.write(dir.resolve("test/b/broken.png"), new byte[] {1, 2, 3});
        CliRun query = CliRun.dinoj("eval", "knn", "--dataset", "folder:" + dir, "--ks", "5");
        assertThat(query.code()).isEqualTo(1);
        assertThat(query.err().strip()).startsWith("dinoj: evaluation image " + dir.resolve("test/b/broken.png")
                + " is damaged (").endsWith("): fix or remove the file");
    }

    @Test
    void aMissingCheckpointIsOneLineError() {
        CliRun run = CliRun.dinoj("eval", "knn", "--checkpoint", "/nonexistent/ckpt", "--config", "tiny-test",
                "--dataset", "synthetic:10:16x16x1");
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().strip()).startsWith("dinoj: ").contains("/nonexistent/ckpt").doesNotContain("\n");
    }

    @Test
    void unknownFeaturesAndBadKAreOneLineErrors() {
        CliRun features = CliRun.dinoj("eval", "knn", "--features", "sift", "--dataset", "synthetic:10");
        assertThat(features.code()).isEqualTo(1);
        assertThat(features.err().strip()).isEqualTo("dinoj: unknown features 'sift': use raw-pixels");
        CliRun k = CliRun.dinoj("eval", "knn", "--ks", "0", "--dataset", "synthetic:10");
        assertThat(k.code()).isEqualTo(1);
        assertThat(k.err().strip()).isEqualTo("dinoj: --ks 0: every k must be at least 1 (e.g. --ks 10,20,100,200)");
    }

    @Test
    void jsonStringsAreEscaped() {
        assertThat(JsonOutput.line(java.util.Map.of("s", "a\"b\\c\n"))).isEqualTo("{\"s\":\"a\\\"b\\\\c\\n\"}");
    }
}
