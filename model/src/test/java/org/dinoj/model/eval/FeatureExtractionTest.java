package org.dinoj.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.dinoj.model.data.DamagedImagesException;
import org.dinoj.model.data.Dataset;
import org.dinoj.model.data.Datasets;
import org.dinoj.model.data.Split;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureExtractionTest {
    @TempDir
    Path dir;

    /** Ten 4x4 images in two classes under {@code root/train}, each a grey level of its own; and a test split. */
    private Path writeFolder(Path root) throws IOException {
        for (int i = 0; i < 10; i++) {
            BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    image.getRaster().setSample(x, y, 0, 20 * i + x);
                }
            }
            Path file = root.resolve("train/" + (i % 2 == 0 ? "coats" : "shirts") + String.format("/img%02d.png", i));
            Files.createDirectories(file.getParent());
            ImageIO.write(image, "png", file.toFile());
            Path test = root.resolve("test/" + (i % 2 == 0 ? "coats" : "shirts") + String.format("/img%02d.png", i));
            Files.createDirectories(test.getParent());
            ImageIO.write(image, "png", test.toFile());
        }
        return root;
    }

    private static Dataset train(Path root) {
        return Datasets.open("folder:" + root, Split.TRAIN);
    }

    @Test
    void aBankLeavesADamagedImageOutAsTrainingDoesAndKeepsTheOthersInOrder() throws IOException {
        Path whole = writeFolder(dir.resolve("whole"));
        Path damaged = writeFolder(dir.resolve("damaged"));
        // Sorted between img04 and img06 of the coats: the rows after it move up by one.
        Files.write(damaged.resolve("train/coats/img05.png"), new byte[] {1, 2, 3, 4, 5});

        LabeledFeatures expected = FeatureExtraction.extract(train(whole), new RawPixelFeatures(), 3);
        LabeledFeatures bank = FeatureExtraction.extractSkippingDamaged(train(damaged), new RawPixelFeatures(), 3, 0.1);

        assertThat(train(damaged).size()).isEqualTo(11);
        assertThat(bank.rows()).isEqualTo(10);
        assertThat(bank.labels()).containsExactly(expected.labels());
        assertThat(bank.features().values()).containsExactly(expected.features().values());
        assertThat(bank.numClasses()).isEqualTo(2);
    }

    @Test
    void moreDamageThanAllowedOrAStrictExtractionStopWithOneSentence() throws IOException {
        Path root = writeFolder(dir.resolve("damaged"));
        Path broken = root.resolve("train/shirts/broken.png");
        Files.write(broken, new byte[] {1, 2, 3, 4, 5});

        // 1 of 11 is 9.1%: over a 5% limit.
        assertThatThrownBy(() -> FeatureExtraction.extractSkippingDamaged(train(root), new RawPixelFeatures(), 4, 0.05))
                .isInstanceOf(DamagedImagesException.class)
                .hasMessage("at least 1 of the 11 images of folder:" + root + " (train) are damaged or not images, more than"
                        + " data.max_bad_fraction allows (5%; first: " + broken + "): fix or remove these files, or raise"
                        + " data.max_bad_fraction");
        // The measured images (k-NN queries, exported embeddings) are never left out.
        assertThatThrownBy(() -> FeatureExtraction.extract(train(root), new RawPixelFeatures(), 4))
                .isInstanceOf(DamagedImagesException.class)
                .hasMessageStartingWith("evaluation image " + broken + " is damaged (")
                .hasMessageEndingWith("): fix or remove the file");
    }
}
