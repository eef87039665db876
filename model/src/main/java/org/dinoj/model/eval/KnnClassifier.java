package org.dinoj.model.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Weighted k-NN vote as in dinov2's {@code eval/knn.py}: the top {@code maxK} neighbours of a query
 * get weights {@code softmax(sim / T)} over those maxK; the score of class c at k is the sum of the
 * weights of the first k neighbours labelled c. Top-1/top-5 rank classes by score descending, ties
 * by the lower class index (torch.topk leaves ties unspecified; here they are fixed).
 *
 * <p>The weights are computed as {@code exp((sim - sim_max) / T)}: the softmax without its
 * normaliser, which scales all class scores of a query alike and so changes no ranking, and which
 * cannot overflow. Scores are accumulated in double.
 */
public final class KnnClassifier {
    private KnnClassifier() {}

    /**
     * @param neighbours {@code [Q, maxK]} nearest bank rows of each query, best first
     * @param bankLabels {@code [N]} label of each bank row, in [0, numClasses)
     * @param queryLabels {@code [Q]} true label of each query
     * @param ks the k values; each must be >= 1, values above maxK use maxK (reported in
     *     {@link KnnAccuracy#neighbours()})
     * @param temperature T of the weights, > 0 (dinov2: 0.07)
     * @return one result per k, in the order of {@code ks}
     */
    public static List<KnnAccuracy> evaluate(Neighbours neighbours, int[] bankLabels, int[] queryLabels, int numClasses,
                                             int[] ks, double temperature) {
        if (!(temperature > 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("k-NN temperature " + temperature + " must be a positive number (dinov2 uses 0.07)");
        }
        if (queryLabels.length != neighbours.queries()) {
            throw new IllegalArgumentException(queryLabels.length + " query labels for " + neighbours.queries() + " queries");
        }
        if (numClasses <= 0) {
            throw new IllegalArgumentException("k-NN needs at least one class, got " + numClasses);
        }
        int maxK = neighbours.k();
        int[] used = new int[ks.length];
        for (int i = 0; i < ks.length; i++) {
            if (ks[i] < 1) {
                throw new IllegalArgumentException("k = " + ks[i] + " is not a neighbour count: use k >= 1");
            }
            used[i] = Math.min(ks[i], maxK);
        }
        // Visit the k values in increasing order so one pass over the neighbours serves them all.
        Integer[] order = new Integer[ks.length];
        for (int i = 0; i < ks.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(used[a], used[b]));
        int[] top1 = new int[ks.length];
        int[] top5 = new int[ks.length];
        double[] scores = new double[numClasses];
        for (int q = 0; q < neighbours.queries(); q++) {
            Arrays.fill(scores, 0);
            int truth = queryLabels[q];
            double best = neighbours.similarity(q, 0);
            int rank = 0;
            for (Integer slot : order) {
                int k = used[slot];
                for (; rank < k; rank++) {
                    int label = bankLabels[neighbours.index(q, rank)];
                    scores[label] += Math.exp((neighbours.similarity(q, rank) - best) / temperature);
                }
                int position = classPosition(scores, truth);
                if (position == 0) {
                    top1[slot]++;
                }
                if (position < 5) {
                    top5[slot]++;
                }
            }
        }
        List<KnnAccuracy> results = new ArrayList<>(ks.length);
        for (int i = 0; i < ks.length; i++) {
            results.add(new KnnAccuracy(ks[i], used[i], neighbours.queries(), top1[i], top5[i]));
        }
        return results;
    }

    /** Position of class {@code truth} when classes are sorted by score descending, ties by lower index. */
    static int classPosition(double[] scores, int truth) {
        double own = scores[truth];
        int ahead = 0;
        for (int c = 0; c < scores.length; c++) {
            if (scores[c] > own || (scores[c] == own && c < truth)) {
                ahead++;
            }
        }
        return ahead;
    }
}
