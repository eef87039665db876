package org.dinoj.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.util.List;
import org.dinoj.model.data.Dataset;
import org.dinoj.model.data.Datasets;
import org.dinoj.model.data.Split;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The raw-pixel k-NN baseline on Fashion-MNIST (train 60k as the bank, test 10k as queries). */
class KnnFashionMnistBaselineTest {

    @Test
    void rawPixelsGive84Point6PercentTop1AtK20() {
        boolean installed = Files.isRegularFile(Datasets.FASHION_MNIST_DEBIAN.resolve("train-images-idx3-ubyte.gz"));
        if (!installed) {
            System.err.println("skipping the Fashion-MNIST k-NN baseline: " + Datasets.FASHION_MNIST_DEBIAN
                    + " is absent (apt-get install dataset-fashion-mnist)");
        }
        Assumptions.assumeTrue(installed, "Fashion-MNIST is not installed in " + Datasets.FASHION_MNIST_DEBIAN
                + ": apt-get install dataset-fashion-mnist");
        Dataset train = Datasets.open("fashion-mnist", Split.TRAIN);
        Dataset test = Datasets.open("fashion-mnist", Split.TEST);
        FeatureExtractor pixels = new RawPixelFeatures();
        LabeledFeatures bank = FeatureExtraction.extract(train, pixels, 1024);
        LabeledFeatures queries = FeatureExtraction.extract(test, pixels, 1024);
        assertThat(bank.rows()).isEqualTo(60_000);
        assertThat(queries.rows()).isEqualTo(10_000);

        long start = System.nanoTime();
        List<KnnAccuracy> results = new KnnEvaluation(new BlockedNeighbourSearch())
                .run(bank, queries, KnnEvaluation.DEFAULT_KS, KnnEvaluation.DEFAULT_TEMPERATURE);
        double seconds = (System.nanoTime() - start) * 1e-9;
        for (KnnAccuracy r : results) {
            System.err.printf("fashion-mnist raw-pixels k=%d top1=%.2f top5=%.2f%n", r.k(), r.top1(), r.top5());
        }
        System.err.printf("fashion-mnist raw-pixel k-NN (normalise + search + vote): %.1f s%n", seconds);

        KnnAccuracy k20 = results.stream().filter(r -> r.k() == 20).findFirst().orElseThrow();
        assertThat(k20.neighbours()).isEqualTo(20);
        // The target given for this protocol (T = 0.07, weights exp(sim/T), k = 20) with +-0.1 points.
        assertThat(k20.top1()).isCloseTo(84.6, within(0.1));
    }
}
