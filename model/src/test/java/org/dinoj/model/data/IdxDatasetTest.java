package org.dinoj.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.dinoj.model.data.augment.Normalization;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxDatasetTest {
    @TempDir
    Path dir;

    /** Writes an unsigned-byte IDX file with the given sizes and data. */
    static void writeIdx(Path file, int[] dims, byte[] data, boolean gzip) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {0, 0, 0x08, (byte) dims.length});
        for (int d : dims) {
            out.write(new byte[] {(byte) (d >>> 24), (byte) (d >>> 16), (byte) (d >>> 8), (byte) d});
        }
        out.write(data);
        try (OutputStream stream = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            stream.write(out.toByteArray());
        }
    }

    /** 5 images of 3x4 whose pixel k of image i is (i * 12 + k) * 4 (all distinct, up to 236). */
    static byte[] pixels(int n) {
        byte[] b = new byte[n * 12];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 4);
        }
        return b;
    }

    @Test
    void readsGzippedTrainAndRawTestSplit() throws IOException {
        writeIdx(dir.resolve("train-images-idx3-ubyte.gz"), new int[] {5, 3, 4}, pixels(5), true);
        writeIdx(dir.resolve("train-labels-idx1-ubyte.gz"), new int[] {5}, new byte[] {3, 0, 7, 1, 3}, true);
        writeIdx(dir.resolve("t10k-images-idx3-ubyte"), new int[] {2, 3, 4}, pixels(2), false);
        writeIdx(dir.resolve("t10k-labels-idx1-ubyte"), new int[] {2}, new byte[] {2, 1}, false);

        Dataset train = Datasets.open("idx:" + dir, Split.TRAIN);
        assertThat(train.size()).isEqualTo(5);
        assertThat(train.numClasses()).isEqualTo(8); // largest label 7, classes 0..7
        assertThat(train.label(2)).isEqualTo(7);
        Image image = train.image(2);
        assertThat(image.channels()).isEqualTo(1);
        assertThat(image.height()).isEqualTo(3);
        assertThat(image.width()).isEqualTo(4);
        // Pixel (y=1, x=2) of image 2 is byte (2*12 + 1*4 + 2) * 4 = 120; decoding is byte / 255.
        assertThat(image.get(0, 1, 2)).isEqualTo(120 / 255f);

        Dataset test = Datasets.open("idx:" + dir, Split.TEST);
        assertThat(test.size()).isEqualTo(2);
        assertThat(test.label(0)).isEqualTo(2);
        assertThat(test.image(1).get(0, 2, 3)).isEqualTo(((12 + 2 * 4 + 3) * 4) / 255f);
    }

    @Test
    void missingLabelFileMeansUnlabelled() throws IOException {
        writeIdx(dir.resolve("train-images.idx3-ubyte"), new int[] {5, 3, 4}, pixels(5), false);
        Dataset train = Datasets.open("idx:" + dir, Split.TRAIN);
        assertThat(train.size()).isEqualTo(5);
        assertThat(train.numClasses()).isZero();
        assertThat(train.label(0)).isEqualTo(-1);
    }

    @Test
    void wrongMagicNamesTheFile() throws IOException {
        Path file = dir.resolve("train-images-idx3-ubyte");
        Files.write(file, new byte[] {0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0});
        assertThatThrownBy(() -> Datasets.open("idx:" + dir, Split.TRAIN))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not an IDX file");
    }

    @Test
    void truncatedRawFileNamesTheFile() throws IOException {
        Path file = dir.resolve("train-images-idx3-ubyte");
        writeIdx(file, new int[] {5, 3, 4}, pixels(4), false); // one image short
        assertThatThrownBy(() -> Datasets.open("idx:" + dir, Split.TRAIN))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("truncated");
    }

    @Test
    void truncatedGzipFileNamesTheFile() throws IOException {
        Path file = dir.resolve("train-images-idx3-ubyte.gz");
        writeIdx(file, new int[] {5, 3, 4}, pixels(5), true);
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(whole, whole.length / 2));
        assertThatThrownBy(() -> Datasets.open("idx:" + dir, Split.TRAIN))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("truncated");
    }

    @Test
    void labelCountMismatchIsAnError() throws IOException {
        writeIdx(dir.resolve("train-images-idx3-ubyte"), new int[] {5, 3, 4}, pixels(5), false);
        writeIdx(dir.resolve("train-labels-idx1-ubyte"), new int[] {4}, new byte[] {1, 2, 3, 4}, false);
        assertThatThrownBy(() -> Datasets.open("idx:" + dir, Split.TRAIN))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("do not belong together");
    }

    @Test
    void missingDirectoryOrFilesAreClearErrors() {
        assertThatThrownBy(() -> Datasets.open("idx:" + dir.resolve("nope"), Split.TRAIN))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> Datasets.open("idx:" + dir, Split.TEST))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("t10k-images-idx3-ubyte");
    }

    @Test
    void missingFashionMnistSaysHowToGetIt() {
        assertThatThrownBy(() -> Datasets.fashionMnistDir(java.util.List.of(dir.resolve("a"), dir.resolve("b"))))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(dir.resolve("a") + " or " + dir.resolve("b"))
                .hasMessageContaining("apt-get install dataset-fashion-mnist")
                .hasMessageContaining(Datasets.FASHION_MNIST_URL)
                .hasMessageContaining("train-images-idx3-ubyte.gz");
    }

    @Test
    void realFashionMnist() throws IOException {
        Path debian = Datasets.FASHION_MNIST_DEBIAN;
        Assumptions.assumeTrue(Files.isRegularFile(debian.resolve("train-images-idx3-ubyte.gz")),
                "Fashion-MNIST is not installed in " + debian + " (apt-get install dataset-fashion-mnist), skipping");
        Dataset train = Datasets.open("fashion-mnist", Split.TRAIN);
        Dataset test = Datasets.open("fashion-mnist", Split.TEST);
        assertThat(train.size()).isEqualTo(60000);
        assertThat(test.size()).isEqualTo(10000);
        assertThat(train.numClasses()).isEqualTo(10);
        assertThat(test.numClasses()).isEqualTo(10);
        int[] perClass = new int[10];
        for (int i = 0; i < train.size(); i++) {
            assertThat(train.label(i)).isBetween(0, 9);
            perClass[train.label(i)]++;
        }
        // Fashion-MNIST's train split is balanced: 6000 images per class.
        assertThat(perClass).containsOnly(6000);
        Image first = train.image(59999);
        assertThat(first.channels()).isEqualTo(1);
        assertThat(first.height()).isEqualTo(28);
        assertThat(first.width()).isEqualTo(28);

        // The constants were computed independently (byte histogram in Python); the utility must
        // reproduce them up to float rounding of the stored constants (1e-6).
        Normalization stats = ImageStatistics.compute(train);
        assertThat(stats.channels()).isEqualTo(1);
        assertThat(stats.mean()[0]).isCloseTo(Normalization.fashionMnist().mean()[0], org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(stats.std()[0]).isCloseTo(Normalization.fashionMnist().std()[0], org.assertj.core.data.Offset.offset(1e-6f));
    }
}
