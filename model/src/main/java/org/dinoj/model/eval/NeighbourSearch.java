package org.dinoj.model.eval;

/**
 * Finds, for every query row, the bank rows with the largest dot product (the cosine similarity
 * when both are L2-normalised). The step of k-NN that costs Q*N*D multiply-adds; a Backend matmul
 * implementation can replace the pure-Java one behind this interface.
 */
public interface NeighbourSearch {
    /**
     * queries {@code [Q, D]}, bank {@code [N, D]}, {@code 1 <= k <= N}. Returns {@code [Q, k]}
     * neighbours sorted by similarity descending, ties broken by the lower bank index.
     */
    Neighbours search(FeatureMatrix queries, FeatureMatrix bank, int k);

    /** The checks every implementation makes first: one feature width, {@code 1 <= k <= N}. */
    static void requireSearchable(FeatureMatrix queries, FeatureMatrix bank, int k) {
        if (queries.dim() != bank.dim()) {
            throw new IllegalArgumentException("queries have " + queries.dim() + " features but the bank has " + bank.dim()
                    + ": both must come from the same feature extractor");
        }
        if (k < 1 || k > bank.rows()) {
            throw new IllegalArgumentException("k = " + k + " neighbours asked from a bank of " + bank.rows()
                    + " rows: k must be in [1, bank rows]");
        }
    }
}
