package org.dinoj.model.eval;

import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dinov2 k-NN protocol on precomputed features: L2-normalise train (bank) and test (query)
 * features, cosine similarity, the top max(ks) neighbours, weighted vote per k.
 */
public final class KnnEvaluation {
    /** dinov2's defaults ({@code eval/knn.py}). */
    public static final int[] DEFAULT_KS = {10, 20, 100, 200};
    public static final double DEFAULT_TEMPERATURE = 0.07;

    private static final Logger LOG = LoggerFactory.getLogger(KnnEvaluation.class);

    private final NeighbourSearch search;

    public KnnEvaluation(NeighbourSearch search) {
        this.search = search;
    }

    /**
     * Normalises the rows of both feature matrices in place, then classifies every query.
     * ks larger than the bank use the whole bank (logged, and visible in {@link KnnAccuracy#neighbours()}).
     *
     * @param bank train features {@code [N, D]} with labels
     * @param queries test features {@code [Q, D]} with labels
     */
    public List<KnnAccuracy> run(LabeledFeatures bank, LabeledFeatures queries, int[] ks, double temperature) {
        bank.requireLabels("the k-NN bank (train split)");
        queries.requireLabels("the k-NN queries (test split)");
        if (ks.length == 0) {
            throw new IllegalArgumentException("no k values given: use e.g. 10,20,100,200");
        }
        if (bank.rows() == 0) {
            throw new IllegalArgumentException("the k-NN bank (train split) is empty: it needs labelled train images");
        }
        if (Math.max(bank.numClasses(), queries.numClasses()) == 1) {
            LOG.warn("the k-NN bank and queries hold one class only: every vote is right, so top-1 is 100% whatever the"
                    + " features; evaluate on a dataset with several classes");
        }
        bank.features().requireFinite("the k-NN bank features");
        queries.features().requireFinite("the k-NN query features");
        int maxK = Arrays.stream(ks).max().orElseThrow();
        if (maxK > bank.rows()) {
            LOG.warn("k = {} exceeds the {} bank rows: those k use all {} rows", maxK, bank.rows(), bank.rows());
            maxK = bank.rows();
        }
        maxK = Math.max(maxK, 1);
        long start = System.nanoTime();
        bank.features().l2NormalizeRows();
        queries.features().l2NormalizeRows();
        Neighbours neighbours = search.search(queries.features(), bank.features(), maxK);
        long searched = System.nanoTime();
        int numClasses = Math.max(bank.numClasses(), queries.numClasses());
        List<KnnAccuracy> results = KnnClassifier.evaluate(neighbours, bank.labels(), queries.labels(), numClasses, ks, temperature);
        LOG.info("k-NN of {} queries against {} bank rows ({} features): search {} ms, vote {} ms", queries.rows(), bank.rows(),
                bank.features().dim(), (searched - start) / 1_000_000, (System.nanoTime() - searched) / 1_000_000);
        return results;
    }
}
