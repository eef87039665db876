package org.dinoj.model.eval;

/**
 * The k nearest bank rows of each query: {@code indices} and {@code similarities} are both
 * {@code [Q, k]} row-major; row q lists bank indices by similarity descending, ties by lower bank
 * index first.
 */
public record Neighbours(int queries, int k, int[] indices, float[] similarities) {
    public Neighbours {
        if ((long) queries * k != indices.length || indices.length != similarities.length) {
            throw new IllegalArgumentException("neighbour arrays of " + indices.length + " and " + similarities.length
                    + " entries do not fit [" + queries + ", " + k + "]");
        }
    }

    public int index(int query, int rank) {
        return indices[query * k + rank];
    }

    public float similarity(int query, int rank) {
        return similarities[query * k + rank];
    }
}
