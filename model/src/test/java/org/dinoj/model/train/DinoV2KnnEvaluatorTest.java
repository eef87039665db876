package org.dinoj.model.train;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.dinoj.model.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DinoV2KnnEvaluatorTest {
    @TempDir
    Path dir;

    private static void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY), "png", file.toFile());
    }

    private static String config(String dataset, String... more) {
        List<String> overrides = new java.util.ArrayList<>(List.of("data.dataset=" + dataset));
        overrides.addAll(List.of(more));
        return ConfigLoader.resolve("tiny-test", overrides);
    }

    @Test
    void aJobsEvaluationThatCouldNeverRunIsRefusedBeforeItTrains() throws IOException {
        write(dir.resolve("own/a.png"));
        write(dir.resolve("own/b.png"));
        DinoV2KnnEvaluator evaluator = new DinoV2KnnEvaluator();
        String unlabelled = "folder:" + dir.resolve("own");
        String instead = "; set eval.dataset to a labelled dataset with a held-out split, or job.eval_every_epochs=-1 to"
                + " train without k-NN";
        assertThatThrownBy(() -> evaluator.checkEvaluable(config(unlabelled)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("k-NN cannot use evaluation dataset " + unlabelled + ": it has no class folders, so it has no"
                        + " labels" + instead);
        // A job that never evaluates trains on them.
        assertThatCode(() -> evaluator.checkEvaluable(config(unlabelled, "job.eval_every_epochs=-1"))).doesNotThrowAnyException();
        // An empty folder is a wrong path, not a missing layout: no advice about labels.
        Files.createDirectories(dir.resolve("empty"));
        String empty = "folder:" + dir.resolve("empty");
        assertThatThrownBy(() -> evaluator.checkEvaluable(config(empty)))
                .hasMessage("k-NN cannot use evaluation dataset " + empty + ": it is an empty folder: check the path");

        write(dir.resolve("flat/cat/a.png"));
        write(dir.resolve("flat/dog/b.png"));
        String flat = "folder:" + dir.resolve("flat");
        assertThatThrownBy(() -> evaluator.checkEvaluable(config(unlabelled, "eval.dataset=" + flat)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("k-NN cannot use evaluation dataset " + flat + ": it has no train/ and test/ (or val/)"
                        + " sub-folders, so its bank and its queries would be the same images" + instead);

        // Images directly in test/: the queries have no labels.
        write(dir.resolve("split/train/cat/a.png"));
        write(dir.resolve("split/test/b.png"));
        String split = "folder:" + dir.resolve("split");
        assertThatThrownBy(() -> evaluator.checkEvaluable(config(unlabelled, "eval.dataset=" + split)))
                .hasMessage("k-NN cannot use evaluation dataset " + split + ": it has no class folders in test/, so it"
                        + " has no labels" + instead);
        write(dir.resolve("split/test/cat/c.png"));
        Files.delete(dir.resolve("split/test/b.png"));
        assertThatCode(() -> evaluator.checkEvaluable(config(unlabelled, "eval.dataset=" + split))).doesNotThrowAnyException();
        // One stray image beside the class folders makes its split unlabelled: named before training, not at the first k-NN.
        write(dir.resolve("split/train/stray.png"));
        write(dir.resolve("split/train/notes.txt"));
        assertThatThrownBy(() -> evaluator.checkEvaluable(config(unlabelled, "eval.dataset=" + split)))
                .hasMessage("k-NN cannot use evaluation dataset " + split + ": it has 1 image file(s) directly in train/"
                        + " beside its class folders (stray.png), which makes that split unlabelled: move them into a class"
                        + " folder or out of the dataset" + instead);
        Files.delete(dir.resolve("split/train/stray.png"));
        assertThatCode(() -> evaluator.checkEvaluable(config(unlabelled, "eval.dataset=" + split))).doesNotThrowAnyException();
        assertThatCode(() -> evaluator.checkEvaluable(config(unlabelled, "eval.dataset=synthetic:64:16x16x1")))
                .doesNotThrowAnyException();
    }
}
