package org.dinoj.model.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Linear probe on frozen features: a {@link SoftmaxRegression} per grid point (learning rate x
 * weight decay), each trained on the fit part of the train split; the grid point with the best
 * top-1 on the held-out part of the train split is chosen. The test split is never seen here: it
 * is scored afterwards with {@link LinearProbeResult#testAccuracy}.
 */
public final class LinearProbe {
    public static final List<Double> DEFAULT_LEARNING_RATES = List.of(0.01, 0.1, 1.0);
    public static final List<Double> DEFAULT_WEIGHT_DECAYS = List.of(0.0, 1e-4);
    public static final double DEFAULT_HELD_OUT_FRACTION = 0.1;

    private static final Logger LOG = LoggerFactory.getLogger(LinearProbe.class);

    /** Disjoint row sets of the train split: {@code fit} trains, {@code heldOut} chooses the grid point. */
    public record HoldOutSplit(int[] fit, int[] heldOut) {}

    /** One grid point's classifier (trained on the fit rows) and its held-out top-1 in percent (NaN if diverged). */
    public record GridPoint(LinearProbeConfig config, SoftmaxRegression classifier, double heldOutTop1) {}

    private final List<LinearProbeConfig> grid;
    private final int epochs;
    private final int batchSize;
    private final double heldOutFraction;
    private final long seed;

    public LinearProbe(List<LinearProbeConfig> grid, int epochs, int batchSize, double heldOutFraction, long seed) {
        if (grid.isEmpty()) {
            throw new IllegalArgumentException("the linear-probe grid is empty: give at least one learning rate and weight decay");
        }
        if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
            throw new IllegalArgumentException("held-out fraction " + heldOutFraction + " must be in (0, 1), e.g. 0.1");
        }
        this.grid = List.copyOf(grid);
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.heldOutFraction = heldOutFraction;
        this.seed = seed;
    }

    /** Every (learning rate, weight decay) pair, learning rates outermost. */
    public static List<LinearProbeConfig> grid(List<Double> learningRates, List<Double> weightDecays) {
        List<LinearProbeConfig> configs = new ArrayList<>();
        for (double lr : learningRates) {
            for (double wd : weightDecays) {
                configs.add(new LinearProbeConfig(lr, wd));
            }
        }
        return configs;
    }

    /**
     * A seeded random partition of rows [0, n): {@code round(n * fraction)} rows (at least 1, at
     * most n - 1) held out, the rest for fitting; both in increasing order.
     */
    public static HoldOutSplit split(int n, double fraction, long seed) {
        if (n < 2) {
            throw new IllegalArgumentException("the linear probe needs at least 2 train images to hold some out, got " + n);
        }
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int held = (int) Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
        int[] heldOut = java.util.Arrays.copyOfRange(perm, 0, held);
        int[] fit = java.util.Arrays.copyOfRange(perm, held, n);
        java.util.Arrays.sort(heldOut);
        java.util.Arrays.sort(fit);
        return new HoldOutSplit(fit, heldOut);
    }

    /** Trains every grid point on the fit rows of {@code train} and chooses one on the held-out rows. */
    public LinearProbeResult fit(LabeledFeatures train) {
        train.requireLabels("the linear-probe train split");
        HoldOutSplit split = split(train.rows(), heldOutFraction, seed);
        List<GridPoint> points = new ArrayList<>();
        GridPoint best = null;
        for (LinearProbeConfig config : grid) {
            long start = System.nanoTime();
            SoftmaxRegression model = SoftmaxRegression.train(train.features(), train.labels(), split.fit(), train.numClasses(),
                    config, epochs, batchSize, seed);
            double heldOut = model.accuracy(train.features(), train.labels(), split.heldOut());
            GridPoint point = new GridPoint(config, model, heldOut);
            points.add(point);
            LOG.info("linear probe lr={} wd={}: held-out top-1 {} ({} ms)", config.learningRate(), config.weightDecay(),
                    model.diverged() ? "diverged" : String.format("%.2f%%", heldOut), (System.nanoTime() - start) / 1_000_000);
            // Strictly better only: among equals the earlier grid point stays.
            if (!Double.isNaN(heldOut) && (best == null || heldOut > best.heldOutTop1())) {
                best = point;
            }
        }
        if (best == null) {
            throw new IllegalStateException("every linear-probe grid point diverged: lower the learning rates");
        }
        List<String> warnings = warnings(train, split);
        warnings.forEach(w -> LOG.warn("linear probe: {}", w));
        return new LinearProbeResult(points, best, split, warnings);
    }

    /** What makes a probe on {@code split} weaker than its figures look: classes it never fits, more held out than fit. */
    static List<String> warnings(LabeledFeatures train, HoldOutSplit split) {
        List<String> warnings = new ArrayList<>();
        boolean[] inTrain = new boolean[train.numClasses()];
        boolean[] fitted = new boolean[train.numClasses()];
        for (int label : train.labels()) {
            inTrain[label] = true;
        }
        for (int row : split.fit()) {
            fitted[train.labels()[row]] = true;
        }
        int present = 0;
        int unfitted = 0;
        for (int c = 0; c < inTrain.length; c++) {
            present += inTrain[c] ? 1 : 0;
            unfitted += inTrain[c] && !fitted[c] ? 1 : 0;
        }
        if (unfitted > 0) {
            warnings.add(unfitted + " of the " + present + " classes of the train split have no image among the "
                    + split.fit().length + " rows it fits on, so it never predicts them: hold out a smaller fraction");
        }
        if (split.fit().length < split.heldOut().length) {
            warnings.add("it fits on " + split.fit().length + " rows and holds out " + split.heldOut().length
                    + ": a held-out fraction above 0.5 leaves it less to learn from than to choose with (0.1 is usual)");
        }
        return warnings;
    }
}
