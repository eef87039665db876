package org.dinoj.model.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Exact top-k dot-product search in pure Java, float accumulation, multithreaded over query chunks.
 *
 * <p>Each task takes a chunk of queries and walks the bank in blocks of {@value #BANK_BLOCK} rows.
 * A block is transposed into {@code [D][BANK_BLOCK]} (one array per feature, so the inner loop reads
 * and writes at the same index and the JIT vectorises it), then 4 queries at a time are multiplied
 * against it 4 features per pass: every block load feeds 16 fused multiply-adds. The per-query top-k
 * is {@link TopKRows}, kept directly in the output rows, so nothing is allocated per query.
 *
 * <p>Every similarity is the same chain of {@code Math.fma} over d = 0..D-1, whatever the grouping,
 * so equal bank rows get bitwise-equal similarities and ties are broken by index as documented.
 */
public final class BlockedNeighbourSearch implements NeighbourSearch {
    static final int BANK_BLOCK = 256;
    private static final int QUERY_GROUP = 4;

    private final int threads;

    /** @param threads worker threads; the calling thread is one of them */
    public BlockedNeighbourSearch(int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("thread count " + threads + " must be positive");
        }
        this.threads = threads;
    }

    public BlockedNeighbourSearch() {
        this(Runtime.getRuntime().availableProcessors());
    }

    @Override
    public Neighbours search(FeatureMatrix queries, FeatureMatrix bank, int k) {
        NeighbourSearch.requireSearchable(queries, bank, k);
        int q = queries.rows();
        int[] indices = new int[Math.multiplyExact(q, k)];
        float[] sims = new float[q * k];
        if (q == 0) {
            return new Neighbours(0, k, indices, sims);
        }
        // About two chunks per thread: few bank transpositions, still some balancing when a core is busy.
        int chunk = Math.max(QUERY_GROUP, roundUp(ceilDiv(q, threads * 2), QUERY_GROUP));
        int tasks = ceilDiv(q, chunk);
        int workers = Math.min(threads, tasks);
        TopKRows heaps = new TopKRows(q, k, indices, sims);
        AtomicInteger nextTask = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable work = () -> {
            try {
                Worker worker = new Worker(queries, bank, heaps);
                for (int t = nextTask.getAndIncrement(); t < tasks && failure.get() == null; t = nextTask.getAndIncrement()) {
                    worker.run(t * chunk, Math.min(q, (t + 1) * chunk));
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        };
        List<Thread> started = new ArrayList<>();
        for (int w = 1; w < workers; w++) {
            Thread thread = new Thread(work, "knn-search-" + w);
            thread.setDaemon(true);
            thread.start();
            started.add(thread);
        }
        work.run();
        for (Thread thread : started) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure.compareAndSet(null, e);
            }
        }
        Throwable error = failure.get();
        if (error instanceof RuntimeException runtime) {
            throw runtime;
        } else if (error instanceof Error fatal) {
            throw fatal;
        } else if (error != null) {
            throw new IllegalStateException("k-NN search was interrupted", error);
        }
        return new Neighbours(q, k, indices, sims);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static int roundUp(int a, int multiple) {
        return ceilDiv(a, multiple) * multiple;
    }

    /** One thread's buffers: a transposed bank block and 4 rows of similarities. */
    private static final class Worker {
        private final float[] query;
        private final float[] bankValues;
        private final int bankRows;
        private final int dim;
        private final TopKRows heaps;
        private final float[][] blockT; // [D][BANK_BLOCK]
        private final float[] s0 = new float[BANK_BLOCK];
        private final float[] s1 = new float[BANK_BLOCK];
        private final float[] s2 = new float[BANK_BLOCK];
        private final float[] s3 = new float[BANK_BLOCK];

        Worker(FeatureMatrix queries, FeatureMatrix bank, TopKRows heaps) {
            this.query = queries.values();
            this.bankValues = bank.values();
            this.bankRows = bank.rows();
            this.dim = bank.dim();
            this.heaps = heaps;
            this.blockT = new float[dim][BANK_BLOCK];
        }

        /** Fills the sorted top-k rows of queries [from, to). */
        void run(int from, int to) {
            for (int b0 = 0; b0 < bankRows; b0 += BANK_BLOCK) {
                int nb = Math.min(BANK_BLOCK, bankRows - b0);
                transposeBlock(b0, nb);
                int q = from;
                for (; q + QUERY_GROUP <= to; q += QUERY_GROUP) {
                    dot4(q, nb);
                    heaps.offer(q, s0, 0, nb, b0);
                    heaps.offer(q + 1, s1, 0, nb, b0);
                    heaps.offer(q + 2, s2, 0, nb, b0);
                    heaps.offer(q + 3, s3, 0, nb, b0);
                }
                for (; q < to; q++) {
                    dot1(q, nb);
                    heaps.offer(q, s0, 0, nb, b0);
                }
            }
            for (int q = from; q < to; q++) {
                heaps.sort(q);
            }
        }

        private void transposeBlock(int b0, int nb) {
            for (int j = 0; j < nb; j++) {
                int row = (b0 + j) * dim;
                for (int d = 0; d < dim; d++) {
                    blockT[d][j] = bankValues[row + d];
                }
            }
        }

        /** s0..s3[j] = dot(query q+i, bank row b0+j) for j < nb. */
        private void dot4(int q, int nb) {
            java.util.Arrays.fill(s0, 0, nb, 0f);
            java.util.Arrays.fill(s1, 0, nb, 0f);
            java.util.Arrays.fill(s2, 0, nb, 0f);
            java.util.Arrays.fill(s3, 0, nb, 0f);
            float[] x = query;
            int o0 = q * dim;
            int o1 = o0 + dim;
            int o2 = o1 + dim;
            int o3 = o2 + dim;
            int d = 0;
            for (; d + 4 <= dim; d += 4) {
                float a00 = x[o0 + d], a01 = x[o0 + d + 1], a02 = x[o0 + d + 2], a03 = x[o0 + d + 3];
                float a10 = x[o1 + d], a11 = x[o1 + d + 1], a12 = x[o1 + d + 2], a13 = x[o1 + d + 3];
                float a20 = x[o2 + d], a21 = x[o2 + d + 1], a22 = x[o2 + d + 2], a23 = x[o2 + d + 3];
                float a30 = x[o3 + d], a31 = x[o3 + d + 1], a32 = x[o3 + d + 2], a33 = x[o3 + d + 3];
                float[] r0 = blockT[d], r1 = blockT[d + 1], r2 = blockT[d + 2], r3 = blockT[d + 3];
                for (int j = 0; j < nb; j++) {
                    float b0 = r0[j], b1 = r1[j], b2 = r2[j], b3 = r3[j];
                    s0[j] = Math.fma(a03, b3, Math.fma(a02, b2, Math.fma(a01, b1, Math.fma(a00, b0, s0[j]))));
                    s1[j] = Math.fma(a13, b3, Math.fma(a12, b2, Math.fma(a11, b1, Math.fma(a10, b0, s1[j]))));
                    s2[j] = Math.fma(a23, b3, Math.fma(a22, b2, Math.fma(a21, b1, Math.fma(a20, b0, s2[j]))));
                    s3[j] = Math.fma(a33, b3, Math.fma(a32, b2, Math.fma(a31, b1, Math.fma(a30, b0, s3[j]))));
                }
            }
            for (; d < dim; d++) {
                float a0 = x[o0 + d], a1 = x[o1 + d], a2 = x[o2 + d], a3 = x[o3 + d];
                float[] r = blockT[d];
                for (int j = 0; j < nb; j++) {
                    float b = r[j];
                    s0[j] = Math.fma(a0, b, s0[j]);
                    s1[j] = Math.fma(a1, b, s1[j]);
                    s2[j] = Math.fma(a2, b, s2[j]);
                    s3[j] = Math.fma(a3, b, s3[j]);
                }
            }
        }

        /** s0[j] = dot(query q, bank row b0+j), the same fma chain as {@link #dot4}. */
        private void dot1(int q, int nb) {
            java.util.Arrays.fill(s0, 0, nb, 0f);
            int o = q * dim;
            for (int d = 0; d < dim; d++) {
                float a = query[o + d];
                float[] r = blockT[d];
                for (int j = 0; j < nb; j++) {
                    s0[j] = Math.fma(a, r[j], s0[j]);
                }
            }
        }
    }
}
