package org.dinoj.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.dinoj.model.metrics.MeterFactory;
import org.dinoj.model.metrics.Meters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataLoaderTest {
    @TempDir
    Path dir;

    /**
     * What a test batch records: per sample the image index, a draw from its RNG and the first
     * pixel of its last channel; per batch a draw from the collator RNG.
     */
    record Sample(int index, long draw, float pixel) {}

    record Batch(List<Sample> samples, long collatorDraw) {
        List<Integer> indices() {
            return samples.stream().map(Sample::index).toList();
        }
    }

    private static final ImageTransform<Sample> DRAW = (image, rng) -> new Sample(-1, rng.nextLong(),
            image.pixels()[(image.channels() - 1) * image.height() * image.width()]);

    private static final BatchCollator<LabeledSample<Sample>, Batch> COLLATE = (list, rng) -> new Batch(
            list.stream().map(s -> new Sample(s.index(), s.sample().draw(), s.sample().pixel())).toList(), rng.nextLong());

    private static DataLoader<LabeledSample<Sample>, Batch> loader(Dataset data, LoaderOptions options, LoaderPosition start) {
        return DataLoader.labeled(data, DRAW, COLLATE, options, start);
    }

    private static List<Batch> take(DataLoader<?, Batch> loader, int n) {
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batches.add(loader.next());
        }
        return batches;
    }

    @Test
    void sameBatchesWhateverTheWorkerCount() throws IOException {
        Dataset data = Datasets.open("synthetic:103:8x8", Split.TRAIN);
        LoaderOptions base = LoaderOptions.of(10, 42);
        // 103 / 10 = 10 steps per epoch (last 3 images dropped); 25 batches cross two epoch ends.
        List<Batch> inline;
        List<Batch> one;
        List<Batch> three;
        try (var l0 = loader(data, base.withWorkers(0, 1), LoaderPosition.START);
                var l1 = loader(data, base.withWorkers(1, 1), LoaderPosition.START);
                var l3 = loader(data, base.withWorkers(3, 5), LoaderPosition.START)) {
            inline = take(l0, 25);
            one = take(l1, 25);
            three = take(l3, 25);
            assertThat(l3.position()).isEqualTo(new LoaderPosition(2, 5));
        }
        assertThat(one).isEqualTo(inline);
        assertThat(three).isEqualTo(inline);
        // Every batch is full, and an epoch never repeats an image.
        assertThat(inline).allSatisfy(b -> assertThat(b.samples()).hasSize(10));
        for (Sample s : inline.get(13).samples()) {
            assertThat(s.pixel()).isEqualTo(data.image(s.index()).pixels()[0]);
        }
        Set<Integer> epoch0 = new HashSet<>();
        inline.subList(0, 10).forEach(b -> epoch0.addAll(b.indices()));
        assertThat(epoch0).hasSize(100);
        // The order differs between epochs, and a different seed gives different batches.
        assertThat(inline.get(10).indices()).isNotEqualTo(inline.get(0).indices());
        try (var other = loader(data, LoaderOptions.of(10, 43).withWorkers(2, 2), LoaderPosition.START)) {
            assertThat(other.next().indices()).isNotEqualTo(inline.get(0).indices());
        }
    }

    @Test
    void theQueueDepthGaugeReportsTheBatchesReadyWhenAStepAsks() throws Exception {
        List<Double> depths = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicInteger waits = new java.util.concurrent.atomic.AtomicInteger();
        MeterFactory recording = new MeterFactory() {
            @Override
            public Gauge gauge(String name, String description, String... tags) {
                return name.equals("dinoj_data_loader_queue_depth") ? depths::add : MeterFactory.NONE.gauge(name, description);
            }

            @Override
            public Timer timer(String name, String description, String... tags) {
                return MeterFactory.NONE.timer(name, description);
            }

            @Override
            public Summary summary(String name, String baseUnit, String description, String... tags) {
                return MeterFactory.NONE.summary(name, baseUnit, description);
            }

            @Override
            public Counter counter(String name, String description, String... tags) {
                return name.equals("dinoj_data_loader_wait_seconds") ? amount -> waits.incrementAndGet()
                        : MeterFactory.NONE.counter(name, description);
            }
        };
        Meters.install(recording);
        try (var loader = loader(Datasets.open("synthetic:64:4x4", Split.TRAIN), LoaderOptions.of(8, 7).withWorkers(2, 3),
                LoaderPosition.START)) {
            loader.next();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (loader.readyBatches() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(loader.readyBatches()).isEqualTo(3);
            loader.next();
            // Three batches prefetched and decoded when the second step asked: the gauge says so.
            assertThat(depths).hasSize(2).last().isEqualTo(3.0);
            assertThat(depths.getFirst()).isBetween(0.0, 3.0);
            assertThat(waits.get()).isEqualTo(2);
        } finally {
            Meters.install(MeterFactory.NONE);
        }
    }

    @Test
    void resumesExactlyInTheMiddleOfAnEpoch() {
        Dataset data = Datasets.open("synthetic:64:4x4", Split.TRAIN);
        LoaderOptions options = LoaderOptions.of(8, 7).withWorkers(2, 3);
        List<Batch> straight;
        LoaderPosition saved;
        List<Batch> resumed;
        try (var first = loader(data, options, LoaderPosition.START)) {
            take(first, 5); // 8 steps per epoch: stop at step 5 of epoch 0
            saved = first.position();
            straight = take(first, 10); // steps 5..7 of epoch 0 and 0..6 of epoch 1
        }
        assertThat(saved).isEqualTo(new LoaderPosition(0, 5));
        try (var second = loader(data, options, saved)) {
            resumed = take(second, 10);
        }
        assertThat(resumed).isEqualTo(straight);
    }

    @Test
    void shardsAreDisjointAndCoverTheEpoch() {
        Dataset data = Datasets.open("synthetic:100:4x4", Split.TRAIN);
        int shards = 3;
        List<Integer> all = new ArrayList<>();
        List<Long> collatorDraws = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            // Shards of 33, 33, 34 images; batch 7 without dropping: 5 steps each, last one partial.
            LoaderOptions options = LoaderOptions.of(7, 5).withShard(s, shards).withDropLast(false).withWorkers(2, 2);
            try (var loader = loader(data, options, LoaderPosition.START)) {
                assertThat(loader.stepsPerEpoch()).isEqualTo(5);
                for (int step = 0; step < loader.stepsPerEpoch(); step++) {
                    Batch b = loader.next();
                    all.addAll(b.indices());
                    if (step == 0) {
                        collatorDraws.add(b.collatorDraw());
                    }
                }
                assertThat(loader.position()).isEqualTo(new LoaderPosition(1, 0));
            }
        }
        // Concatenated in shard order, the shards are exactly the one shared epoch permutation.
        assertThat(all).containsExactlyElementsOf(Arrays.stream(EpochOrder.permutation(5, 0, 100, true)).boxed().toList());
        assertThat(new HashSet<>(all)).hasSize(100);
        // The collator RNG depends on the shard.
        assertThat(new HashSet<>(collatorDraws)).hasSize(shards);
    }

    @Test
    void unshuffledWithoutDropGivesIndexOrderAndAPartialLastBatch() {
        Dataset data = Datasets.open("synthetic:10:4x4", Split.TRAIN);
        try (var loader = loader(data, LoaderOptions.of(4, 1).withShuffle(false).withDropLast(false).withWorkers(1, 2),
                LoaderPosition.START)) {
            assertThat(take(loader, 3).stream().map(Batch::indices).toList())
                    .containsExactly(List.of(0, 1, 2, 3), List.of(4, 5, 6, 7), List.of(8, 9));
        }
    }

    /** Writes {@code good} small RGB PNGs in two class folders plus a truncated PNG, a truncated JPEG and random bytes. */
    private List<Path> writeFolderWithBadFiles(int good) throws IOException {
        Random random = new Random(3);
        for (int i = 0; i < good; i++) {
            BufferedImage image = new BufferedImage(6, 6, BufferedImage.TYPE_INT_RGB);
            image.setRGB(0, 0, i + 1); // pixel (0,0), blue channel = i + 1: tells the images apart
            Path file = dir.resolve((i % 2 == 0 ? "even" : "odd") + String.format("/img%03d.png", i));
            Files.createDirectories(file.getParent());
            ImageIO.write(image, "png", file.toFile());
        }
        BufferedImage big = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                big.setRGB(x, y, random.nextInt());
            }
        }
        Path png = dir.resolve("odd/broken.png");
        Path jpg = dir.resolve("even/broken.jpg");
        Path noise = dir.resolve("even/noise.png");
        ImageIO.write(big, "png", png.toFile());
        ImageIO.write(big, "jpg", jpg.toFile());
        Files.write(png, Arrays.copyOf(Files.readAllBytes(png), (int) Files.size(png) / 2));
        Files.write(jpg, Arrays.copyOf(Files.readAllBytes(jpg), (int) Files.size(jpg) / 2));
        byte[] bytes = new byte[300];
        random.nextBytes(bytes);
        Files.write(noise, bytes);
        return List.of(png, jpg, noise);
    }

    @Test
    void damagedFilesAreSkippedAndCounted() throws IOException {
        List<Path> bad = writeFolderWithBadFiles(60);
        Dataset data = Datasets.open("folder:" + dir, Split.TRAIN);
        assertThat(data.size()).isEqualTo(63);
        Set<Integer> badIndices = new HashSet<>();
        for (int i = 0; i < data.size(); i++) {
            if (bad.contains(((ImageFolderDataset) data).file(i))) {
                badIndices.add(i);
            }
        }
        assertThat(badIndices).hasSize(3);
        // 3 of 63 bad is 4.8%: allowed under a 5% limit.
        LoaderOptions options = LoaderOptions.of(9, 11).withMaxBadFraction(0.05);
        List<Batch> one;
        List<Batch> three;
        try (var l1 = loader(data, options.withWorkers(1, 2), LoaderPosition.START);
                var l3 = loader(data, options.withWorkers(3, 4), LoaderPosition.START)) {
            one = take(l1, 14); // two epochs of 7 steps
            three = take(l3, 14);
            assertThat(l1.badImageCount()).isEqualTo(3);
            assertThat(l3.badImageCount()).isEqualTo(3);
        }
        assertThat(three).isEqualTo(one);
        for (Batch b : one) {
            assertThat(b.samples()).hasSize(9);
            assertThat(b.indices()).doesNotContainAnyElementsOf(badIndices);
            // The transformed pixel belongs to the file named by the index (blue of pixel 0 = number + 1).
            for (Sample s : b.samples()) {
                String name = ((ImageFolderDataset) data).file(s.index()).getFileName().toString();
                int number = Integer.parseInt(name.substring(3, 6));
                assertThat(s.pixel()).isEqualTo((number + 1) / 255f);
            }
        }
    }

    @Test
    void tooManyDamagedFilesStopWithOneSentence() throws IOException {
        writeFolderWithBadFiles(7); // 3 of 10 bad
        // Two workers decode in parallel, so which bad file is met first varies: the sentence may name any of them.
        Dataset data = Datasets.open("folder:" + dir, Split.TRAIN);
        try (var loader = loader(data, LoaderOptions.of(10, 1).withWorkers(2, 2), LoaderPosition.START)) {
            assertThatThrownBy(loader::next)
                    // Damage does not heal: the orchestration fails the job on this type instead of retrying.
                    .isInstanceOf(DamagedImagesException.class)
                    .hasMessageMatching("at least \\d of the 10 images of folder:\\S+ are damaged or not images, more than"
                            + " data.max_bad_fraction allows \\(1%; first: .*(broken\\.png|broken\\.jpg|noise\\.png)\\): fix or remove these"
                            + " files, or raise data.max_bad_fraction")
                    .message().doesNotContain("\n");
        }
    }

    @Test
    void filesThatCannotBeReadAreAPlainRetriedDatasetError() throws IOException {
        // A listed file gone from under the loader (a mount that went away) may be back on the next attempt.
        writeFolderWithBadFiles(7);
        Dataset data = Datasets.open("folder:" + dir, Split.TRAIN);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.delete(f);
            }
        }
        try (var loader = loader(data, LoaderOptions.of(10, 1).withWorkers(2, 2), LoaderPosition.START)) {
            assertThatThrownBy(loader::next)
                    .isExactlyInstanceOf(DatasetException.class)
                    .hasMessageMatching("at least \\d+ of the 10 images of folder:\\S+ could not be decoded \\(\\d+ could not be read"
                            + " at all\\), more than data.max_bad_fraction allows .*: check that the files are readable.*");
        }
    }

    /** {@code data} whose image {@code index} fails with EIO the first {@code failures} reads. */
    private static Dataset failingReads(Dataset data, int index, int failures) {
        java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(failures);
        return new Dataset() {
            public int size() { return data.size(); }
            public Image image(int i) throws IOException {
                if (i == index && left.getAndDecrement() > 0) {
                    throw new IOException("Input/output error");
                }
                return data.image(i);
            }
            public int label(int i) { return data.label(i); }
            public int numClasses() { return data.numClasses(); }
            public String describe() { return data.describe(); }
        };
    }

    @Test
    void aReadErrorThatPassesIsReadAgainSoTheBatchesStayTheSame() {
        Dataset data = Datasets.open("synthetic:40:8x8", Split.TRAIN);
        LoaderOptions options = LoaderOptions.of(10, 7).withWorkers(2, 2).withMaxBadFraction(0.05);
        try (var plain = loader(data, options, LoaderPosition.START);
                var flaky = loader(failingReads(data, 11, 2), options, LoaderPosition.START);
                var broken = loader(failingReads(data, 11, Integer.MAX_VALUE), options, LoaderPosition.START)) {
            List<Batch> expected = take(plain, 4);
            assertThat(take(flaky, 4)).isEqualTo(expected);
            assertThat(flaky.badImageCount()).isZero();
            // An error that stays after three reads counts the image as bad, as before.
            assertThat(take(broken, 4)).isNotEqualTo(expected);
            assertThat(broken.badImageCount()).isEqualTo(1);
        }
    }

    /** A mount gone: only the first file's error is waited on, so the limit's sentence comes at once. */
    @Test
    void whenEveryReadFailsOnlyTheFirstFileIsReadAgain() {
        Dataset data = Datasets.open("synthetic:40:8x8", Split.TRAIN);
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        Dataset gone = new Dataset() {
            public int size() { return data.size(); }
            public Image image(int i) throws IOException {
                reads.incrementAndGet();
                throw new IOException("Input/output error");
            }
            public int label(int i) { return data.label(i); }
            public int numClasses() { return data.numClasses(); }
            public String describe() { return "gone:40"; }
        };
        // Inline (no worker threads), 5% of 40: the third bad file ends it.
        try (var loader = loader(gone, LoaderOptions.of(10, 7).withWorkers(0, 1).withMaxBadFraction(0.05),
                LoaderPosition.START)) {
            assertThatThrownBy(loader::next).isExactlyInstanceOf(DatasetException.class)
                    .hasMessageStartingWith("at least 3 of the 40 images of gone:40 could not be decoded (3 could not be read at all)");
        }
        assertThat(reads.get()).isEqualTo(3 + 1 + 1);
    }

    @Test
    void emptyDatasetAndTooSmallShardAreClearErrors() {
        Dataset empty = new Dataset() {
            public int size() { return 0; }
            public Image image(int index) { throw new IndexOutOfBoundsException(index); }
            public int label(int index) { return -1; }
            public int numClasses() { return 0; }
            public String describe() { return "empty test dataset"; }
        };
        assertThatThrownBy(() -> loader(empty, LoaderOptions.of(4, 1), LoaderPosition.START))
                .isInstanceOf(DatasetException.class).hasMessage("empty test dataset holds no images: check the dataset path");
        Dataset small = Datasets.open("synthetic:10:4x4", Split.TRAIN);
        assertThatThrownBy(() -> loader(small, LoaderOptions.of(5, 1).withShard(2, 3), LoaderPosition.START))
                .isInstanceOf(DatasetException.class).hasMessageContaining("holds 4 images, fewer than one batch of 5");
        assertThatThrownBy(() -> loader(small, LoaderOptions.of(4, 1), new LoaderPosition(0, 2)))
                .isInstanceOf(DatasetException.class).hasMessageContaining("changed since the checkpoint");
    }
}
