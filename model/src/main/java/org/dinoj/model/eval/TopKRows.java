package org.dinoj.model.eval;

/**
 * The running top k of many rows of candidates: per row a bounded min-heap on (similarity, index)
 * kept directly in the {@code [Q, k]} output arrays, so selection allocates nothing. Candidates of
 * a row must arrive in increasing index order: a candidate equal to the heap's worst then loses
 * the tie (higher index), as {@link NeighbourSearch} documents. Rows are independent: threads
 * may work on disjoint rows at the same time.
 */
final class TopKRows {
    private final int k;
    private final int[] indices;
    private final float[] sims;
    private final int[] sizes;

    /** Empty heaps for {@code rows} rows, filled into {@code indices} and {@code sims} {@code [rows, k]}. */
    TopKRows(int rows, int k, int[] indices, float[] sims) {
        this.k = k;
        this.indices = indices;
        this.sims = sims;
        this.sizes = new int[rows];
    }

    /** Offers candidates {@code s[from .. from+n)} with bank indices {@code firstIndex ..} to row q. */
    void offer(int q, float[] s, int from, int n, int firstIndex) {
        int base = q * k;
        int size = sizes[q];
        int j = 0;
        for (; j < n && size < k; j++) {
            siftUp(base, size, s[from + j], firstIndex + j);
            size++;
        }
        sizes[q] = size;
        float worst = sims[base];
        for (; j < n; j++) {
            float v = s[from + j];
            if (v > worst) {
                siftDown(base, k, v, firstIndex + j);
                worst = sims[base];
            }
        }
    }

    /** Heap sort of row q: moves the worst entry to the end repeatedly, leaving the row best-first. */
    void sort(int q) {
        int base = q * k;
        for (int end = k - 1; end > 0; end--) {
            float rootSim = sims[base];
            int rootIdx = indices[base];
            float lastSim = sims[base + end];
            int lastIdx = indices[base + end];
            sims[base + end] = rootSim;
            indices[base + end] = rootIdx;
            siftDown(base, end, lastSim, lastIdx);
        }
    }

    /** True when (simA, idxA) ranks below (simB, idxB): lower similarity, or equal and higher index. */
    private static boolean worse(float simA, int idxA, float simB, int idxB) {
        return simA < simB || (simA == simB && idxA > idxB);
    }

    /** Inserts (v, index) at heap position {@code at} (the current size) and restores the min-heap. */
    private void siftUp(int base, int at, float v, int index) {
        while (at > 0) {
            int parent = (at - 1) >>> 1;
            float ps = sims[base + parent];
            int pi = indices[base + parent];
            if (!worse(v, index, ps, pi)) {
                break;
            }
            sims[base + at] = ps;
            indices[base + at] = pi;
            at = parent;
        }
        sims[base + at] = v;
        indices[base + at] = index;
    }

    /** Replaces the root of a heap of {@code size} entries with (v, index) and restores it. */
    private void siftDown(int base, int size, float v, int index) {
        int at = 0;
        while (true) {
            int child = 2 * at + 1;
            if (child >= size) {
                break;
            }
            int right = child + 1;
            if (right < size && worse(sims[base + right], indices[base + right], sims[base + child], indices[base + child])) {
                child = right;
            }
            float cs = sims[base + child];
            int ci = indices[base + child];
            if (!worse(cs, ci, v, index)) {
                break;
            }
            sims[base + at] = cs;
            indices[base + at] = ci;
            at = child;
        }
        sims[base + at] = v;
        indices[base + at] = index;
    }
}
