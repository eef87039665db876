package org.dinoj.model.eval;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;

/**
 * Exact top-k dot-product search with the similarities computed by a host backend's matmul
 * (oneDNN: blocked GEMM kernels, all cores), in tiles of {@code [queryBlock, bankBlock]}; each
 * tile is read back once and its rows offered to the per-query {@link TopKRows}. Precision is the
 * backend's: give it an f32 backend for the k-NN protocol's full-precision cosine similarities.
 * Not thread-safe (the backend is not).
 */
public final class MatmulNeighbourSearch implements NeighbourSearch {
    static final int QUERY_BLOCK = 1024;
    static final int BANK_BLOCK = 4096;

    private final Backend backend;
    private final int queryBlock;
    private final int bankBlock;

    /** @param backend a host (CPU) backend; the caller keeps and closes it */
    public MatmulNeighbourSearch(Backend backend) {
        this(backend, QUERY_BLOCK, BANK_BLOCK);
    }

    MatmulNeighbourSearch(Backend backend, int queryBlock, int bankBlock) {
        if (queryBlock < 1 || bankBlock < 1) {
            throw new IllegalArgumentException("tile " + queryBlock + " x " + bankBlock + " must be positive");
        }
        this.backend = backend;
        this.queryBlock = queryBlock;
        this.bankBlock = bankBlock;
    }

    @Override
    public Neighbours search(FeatureMatrix queries, FeatureMatrix bank, int k) {
        NeighbourSearch.requireSearchable(queries, bank, k);
        int q = queries.rows();
        int n = bank.rows();
        int d = bank.dim();
        int[] indices = new int[Math.multiplyExact(q, k)];
        float[] sims = new float[q * k];
        if (q == 0) {
            return new Neighbours(0, k, indices, sims);
        }
        int qb = Math.min(queryBlock, q);
        int nb = Math.min(bankBlock, n);
        TopKRows heaps = new TopKRows(q, k, indices, sims);
        float[] tile = new float[qb * nb];
        try (HostArena arena = new HostArena()) {
            Tensor bankRows = arena.allocate(DType.F32, n, d); // [N, D]
            MemorySegment.copy(bank.values(), 0, bankRows.data(), ValueLayout.JAVA_FLOAT, 0, n * d);
            Tensor queryRows = arena.allocate(DType.F32, qb, d);
            Tensor scores = arena.allocate(DType.F32, (long) qb * nb);
            for (int q0 = 0; q0 < q; q0 += qb) {
                int qn = Math.min(qb, q - q0);
                MemorySegment.copy(queries.values(), q0 * d, queryRows.data(), ValueLayout.JAVA_FLOAT, 0, qn * d);
                Tensor a = queryRows.slice(0, 0, qn); // [qn, D]
                for (int b0 = 0; b0 < n; b0 += nb) {
                    int bn = Math.min(nb, n - b0);
                    Tensor c = Tensor.of(scores.data(), DType.F32, qn, bn); // [qn, bn] packed
                    backend.matmul(a, bankRows.slice(0, b0, bn).transpose(0, 1), null, c, 1f, 0f);
                    backend.synchronize();
                    MemorySegment.copy(c.data(), ValueLayout.JAVA_FLOAT, 0, tile, 0, qn * bn);
                    for (int r = 0; r < qn; r++) {
                        heaps.offer(q0 + r, tile, r * bn, bn, b0);
                    }
                }
                for (int r = 0; r < qn; r++) {
                    heaps.sort(q0 + r);
                }
            }
        }
        return new Neighbours(q, k, indices, sims);
    }
}
