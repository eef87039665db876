package org.dinoj.model.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.dinoj.model.data.augment.Normalization;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Augmented images per second per worker thread, with a trivial transform (decode only) and with a
 * multi-crop transform of DINOv2's shape (2 global + 8 local random resized crops with flip and
 * normalisation; bilinear, not the antialiased bicubic of the real augmentation, and no colour
 * jitter or blur, so it is a lower bound on the real cost). Run with
 * {@code mvn -pl model test -Dtest=DataLoaderBenchmarkTest -Dtest.excluded.groups=gpu}.
 */
@Tag("slow")
class DataLoaderBenchmarkTest {
    private static final Logger LOG = LoggerFactory.getLogger(DataLoaderBenchmarkTest.class);

    @TempDir
    Path dir;

    /** Crops laid out one after another, each {@code [C, S, S]}. */
    static ImageTransform<float[]> multiCrop(int globalSize, int localSize, int locals) {
        return (image, rng) -> {
            int c = image.channels();
            int globalFloats = c * globalSize * globalSize;
            int localFloats = c * localSize * localSize;
            float[] out = new float[2 * globalFloats + locals * localFloats];
            Normalization norm = c == 3 ? Normalization.imagenetRgb() : Normalization.fashionMnist();
            for (int g = 0; g < 2; g++) {
                randomResizedCrop(image, globalSize, 0.32, 1.0, rng, out, g * globalFloats);
                norm.applyInPlace(out, g * globalFloats, globalSize * globalSize);
            }
            for (int l = 0; l < locals; l++) {
                int offset = 2 * globalFloats + l * localFloats;
                randomResizedCrop(image, localSize, 0.05, 0.32, rng, out, offset);
                norm.applyInPlace(out, offset, localSize * localSize);
            }
            return out;
        };
    }

    /** torchvision's RandomResizedCrop box choice (10 tries, else the whole image), bilinear, random flip. */
    static void randomResizedCrop(Image image, int size, double minScale, double maxScale, SplittableRandom rng,
            float[] out, int offset) {
        int h = image.height();
        int w = image.width();
        int cropH = h;
        int cropW = w;
        int top = 0;
        int left = 0;
        for (int attempt = 0; attempt < 10; attempt++) {
            double area = h * w * rng.nextDouble(minScale, maxScale);
            double ratio = Math.exp(rng.nextDouble(Math.log(3 / 4.0), Math.log(4 / 3.0)));
            int cw = (int) Math.round(Math.sqrt(area * ratio));
            int ch = (int) Math.round(Math.sqrt(area / ratio));
            if (cw > 0 && ch > 0 && cw <= w && ch <= h) {
                cropH = ch;
                cropW = cw;
                top = rng.nextInt(h - ch + 1);
                left = rng.nextInt(w - cw + 1);
                break;
            }
        }
        boolean flip = rng.nextBoolean();
        float sy = (float) cropH / size;
        float sx = (float) cropW / size;
        float[] src = image.pixels();
        for (int c = 0; c < image.channels(); c++) {
            int plane = c * h * w;
            for (int y = 0; y < size; y++) {
                float fy = Math.clamp(top + (y + 0.5f) * sy - 0.5f, 0, h - 1);
                int y0 = (int) fy;
                int y1 = Math.min(y0 + 1, h - 1);
                float wy = fy - y0;
                for (int x = 0; x < size; x++) {
                    float fx = Math.clamp(left + (x + 0.5f) * sx - 0.5f, 0, w - 1);
                    int x0 = (int) fx;
                    int x1 = Math.min(x0 + 1, w - 1);
                    float wx = fx - x0;
                    float a = src[plane + y0 * w + x0] + wx * (src[plane + y0 * w + x1] - src[plane + y0 * w + x0]);
                    float b = src[plane + y1 * w + x0] + wx * (src[plane + y1 * w + x1] - src[plane + y1 * w + x0]);
                    int ox = flip ? size - 1 - x : x;
                    out[offset + (c * size + y) * size + ox] = a + wy * (b - a);
                }
            }
        }
    }

    /** Runs {@code batches} batches after a warm-up and returns images per second. */
    static <T> double imagesPerSecond(Dataset data, ImageTransform<T> transform, int workers, int batches) {
        LoaderOptions options = LoaderOptions.of(32, 1).withWorkers(workers, 2 * Math.max(1, workers));
        BatchCollator<T, Integer> count = (samples, rng) -> samples.size();
        try (DataLoader<T, Integer> loader = DataLoader.of(data, transform, count, options, LoaderPosition.START)) {
            for (int i = 0; i < Math.max(2, batches / 5); i++) {
                loader.next();
            }
            long t0 = System.nanoTime();
            long images = 0;
            for (int i = 0; i < batches; i++) {
                images += loader.next();
            }
            return images / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private void report(String what, Dataset data, ImageTransform<?> transform, int batches) {
        for (int workers : new int[] {1, 2}) {
            double rate = imagesPerSecond(data, transform, workers, batches);
            assertThat(rate).isPositive();
            LOG.info(String.format("%-58s workers=%d: %8.0f images/s, %8.0f images/s per worker", what, workers, rate, rate / workers));
        }
    }

    @Test
    void grayscale28() {
        Dataset data = Files.isRegularFile(Datasets.FASHION_MNIST_DEBIAN.resolve("train-images-idx3-ubyte.gz"))
                ? Datasets.open("fashion-mnist", Split.TRAIN)
                : Datasets.open("synthetic:60000", Split.TRAIN);
        report(data.describe().split(":")[0] + " 28x28, trivial transform", data, (image, rng) -> image, 1000);
        report(data.describe().split(":")[0] + " 28x28, 2x28 + 8x12 crops", data, multiCrop(28, 12, 8), 300);
    }

    @Test
    void jpeg256() throws IOException {
        // 96 JPEG files of 256x256 RGB noise-free gratings: about ImageNet's decode cost per pixel.
        Dataset synthetic = Datasets.open("synthetic:96:256x256x3", Split.TRAIN);
        for (int i = 0; i < synthetic.size(); i++) {
            Image image = synthetic.image(i);
            BufferedImage out = new BufferedImage(256, 256, BufferedImage.TYPE_3BYTE_BGR);
            for (int y = 0; y < 256; y++) {
                for (int x = 0; x < 256; x++) {
                    int r = Math.round(image.get(0, y, x) * 255);
                    int g = Math.round(image.get(1, y, x) * 255);
                    int b = Math.round(image.get(2, y, x) * 255);
                    out.setRGB(x, y, r << 16 | g << 8 | b);
                }
            }
            Path file = dir.resolve("c" + synthetic.label(i) + "/" + i + ".jpg");
            Files.createDirectories(file.getParent());
            ImageIO.write(out, "jpg", file.toFile());
        }
        Dataset data = Datasets.open("folder:" + dir, Split.TRAIN);
        report("JPEG 256x256, trivial transform (decode only)", data, (image, rng) -> image, 30);
        report("JPEG 256x256, 2x224 + 8x96 crops", data, multiCrop(224, 96, 8), 10);
    }
}
