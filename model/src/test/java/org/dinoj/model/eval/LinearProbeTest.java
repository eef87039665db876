package org.dinoj.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LinearProbeTest {
    private static final int CLASSES = 5;
    private static final int DIM = 12;

    /** Gaussian blobs: class c centred at 3 * e_c with standard deviation 0.5, so the classes are separable. */
    private static LabeledFeatures blobs(int n, long seed) {
        Random rnd = new Random(seed);
        float[] v = new float[n * DIM];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % CLASSES;
            for (int d = 0; d < DIM; d++) {
                v[i * DIM + d] = (float) (0.5 * rnd.nextGaussian() + (d == labels[i] ? 3 : 0));
            }
        }
        return new LabeledFeatures(new FeatureMatrix(n, DIM, v), labels, CLASSES);
    }

    @Test
    void separableBlobsAreClassifiedAlmostPerfectly() {
        LinearProbe probe = new LinearProbe(LinearProbe.grid(LinearProbe.DEFAULT_LEARNING_RATES, LinearProbe.DEFAULT_WEIGHT_DECAYS),
                10, 32, 0.1, 1);
        LinearProbeResult result = probe.fit(blobs(600, 1));
        // The blobs are 3 / 0.5 = 6 standard deviations apart per axis: errors are vanishingly rare,
        // 99% leaves room for one or two unlucky draws.
        assertThat(result.chosen().heldOutTop1()).isGreaterThanOrEqualTo(99.0);
        assertThat(result.testAccuracy(blobs(400, 2))).isGreaterThanOrEqualTo(99.0);
    }

    /** Holding out nearly everything leaves classes the probe never fits: said, with what to do. */
    @Test
    void aSplitThatLeavesClassesUnfittedOrHoldsOutMostIsWarned() {
        LabeledFeatures train = blobs(100, 1);
        assertThat(new LinearProbe(LinearProbe.grid(List.of(0.1), List.of(0.0)), 1, 32, 0.1, 1).fit(train).warnings())
                .isEmpty();
        // 0.98 of 100 rows: 2 fit rows for 5 classes.
        LinearProbeResult most = new LinearProbe(LinearProbe.grid(List.of(0.1), List.of(0.0)), 1, 32, 0.98, 1).fit(train);
        assertThat(most.split().fit()).hasSize(2);
        long fitted = Arrays.stream(most.split().fit()).map(r -> train.labels()[r]).distinct().count();
        assertThat(most.warnings()).containsExactly(
                (5 - fitted) + " of the 5 classes of the train split have no image among the 2 rows it fits on, so it"
                        + " never predicts them: hold out a smaller fraction",
                "it fits on 2 rows and holds out 98: a held-out fraction above 0.5 leaves it less to learn from than to"
                        + " choose with (0.1 is usual)");
    }

    @Test
    void splitIsASeededPartitionWithTheAskedFractionHeldOut() {
        LinearProbe.HoldOutSplit split = LinearProbe.split(1000, 0.1, 7);
        assertThat(split.heldOut()).hasSize(100);
        assertThat(split.fit()).hasSize(900);
        Set<Integer> all = new HashSet<>();
        Arrays.stream(split.heldOut()).forEach(all::add);
        Arrays.stream(split.fit()).forEach(all::add);
        assertThat(all).hasSize(1000).allMatch(i -> i >= 0 && i < 1000);
        assertThat(LinearProbe.split(1000, 0.1, 7).heldOut()).containsExactly(split.heldOut());
        assertThat(LinearProbe.split(1000, 0.1, 8).heldOut()).isNotEqualTo(split.heldOut());
    }

    @Test
    void reportedHeldOutAccuracyIsMeasuredOnTheHeldOutRowsOnly() {
        LabeledFeatures train = blobs(500, 3);
        LinearProbeResult result = new LinearProbe(LinearProbe.grid(List.of(0.0, 0.1), List.of(0.0)), 5, 32, 0.1, 4).fit(train);
        for (LinearProbe.GridPoint point : result.grid()) {
            int correct = 0;
            for (int row : result.split().heldOut()) {
                correct += point.classifier().predict(train.features(), row) == train.labels()[row] ? 1 : 0;
            }
            assertThat(point.heldOutTop1()).isEqualTo(100.0 * correct / result.split().heldOut().length);
        }
    }

    @Test
    void gridPointIsChosenOnTheHeldOutSplitNotOnFitOrTestRows() {
        // Train rows keep their true blob labels, except the held-out rows, which are all labelled 0.
        // On the held-out rows the untrained classifier (lr 0: all logits 0, so it predicts class 0)
        // scores 100% and the trained one about 20%; on fit or test rows the trained one wins. So
        // choosing the lr-0 point proves the choice was made on the held-out rows.
        long seed = 9;
        LabeledFeatures train = blobs(500, 5);
        LinearProbe.HoldOutSplit split = LinearProbe.split(train.rows(), 0.1, seed);
        int[] labels = train.labels().clone();
        for (int row : split.heldOut()) {
            labels[row] = 0;
        }
        LabeledFeatures relabelled = new LabeledFeatures(train.features(), labels, CLASSES);
        LinearProbe probe = new LinearProbe(LinearProbe.grid(List.of(0.1, 0.0), List.of(0.0)), 5, 32, 0.1, seed);

        LinearProbeResult result = probe.fit(relabelled);

        assertThat(result.split().heldOut()).containsExactly(split.heldOut());
        LinearProbe.GridPoint trained = result.grid().get(0);
        LinearProbe.GridPoint untrained = result.grid().get(1);
        assertThat(untrained.heldOutTop1()).isEqualTo(100.0);
        assertThat(trained.heldOutTop1()).isLessThan(50.0);
        assertThat(result.chosen().config()).isEqualTo(new LinearProbeConfig(0.0, 0.0));
        // The test split favours the other point, which was not chosen.
        LabeledFeatures test = blobs(300, 6);
        int[] all = java.util.stream.IntStream.range(0, test.rows()).toArray();
        assertThat(trained.classifier().accuracy(test.features(), test.labels(), all)).isGreaterThan(99.0);
        assertThat(result.testAccuracy(test)).isEqualTo(20.0); // class 0 is every 5th test image
    }

    @Test
    void divergedGridPointsAreNotChosen() {
        LabeledFeatures train = blobs(200, 11);
        float[] huge = train.features().values();
        for (int i = 0; i < huge.length; i++) {
            huge[i] *= 1e10f; // with lr 1e30 the first step moves weights to ~1e39: beyond float
        }
        LinearProbeResult result = new LinearProbe(LinearProbe.grid(List.of(1e30, 0.1), List.of(0.0)), 2, 16, 0.1, 1)
                .fit(train);
        assertThat(result.grid().get(0).classifier().diverged()).isTrue();
        assertThat(result.grid().get(0).heldOutTop1()).isNaN();
        assertThat(result.chosen().config().learningRate()).isEqualTo(0.1);
        assertThat(result.chosen().heldOutTop1()).isGreaterThan(90.0);
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThatThrownBy(() -> new LinearProbeConfig(-1, 0)).hasMessageContaining("learning rate");
        assertThatThrownBy(() -> new LinearProbeConfig(0.1, Double.NaN)).hasMessageContaining("weight decay");
        assertThatThrownBy(() -> new LinearProbe(List.of(), 1, 1, 0.1, 1)).hasMessageContaining("grid is empty");
        assertThatThrownBy(() -> new LinearProbe(LinearProbe.grid(List.of(0.1), List.of(0.0)), 1, 1, 1.0, 1))
                .hasMessageContaining("held-out fraction");
    }
}
