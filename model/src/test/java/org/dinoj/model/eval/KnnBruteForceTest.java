package org.dinoj.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.dnnl.DnnlBackend;
import org.junit.jupiter.api.Test;

/** The blocked and matmul searches and the weighted vote against plain double loops on small data. */
class KnnBruteForceTest {
    // D = 19 and N = 300 and Q = 37 are deliberately not multiples of the kernel's 4 features,
    // 256-row bank blocks and 4-query groups, so every tail path runs.
    private static final int DIM = 19;
    private static final int BANK = 300;
    private static final int QUERIES = 37;
    private static final int CLASSES = 7;

    /**
     * Entries are multiples of 1/8 in [-1/4, 1/4]: every product is a multiple of 1/64 and a sum of
     * 19 of them is exact in float, so the float search must match the double brute force exactly,
     * ties included. Bank rows 250..299 repeat rows 0..49 (exact ties across two bank blocks).
     */
    private static float[] exactValues(int rows, Random rnd) {
        float[] v = new float[rows * DIM];
        for (int i = 0; i < v.length; i++) {
            v[i] = (rnd.nextInt(5) - 2) / 8f;
        }
        return v;
    }

    private static FeatureMatrix bankWithDuplicates(Random rnd) {
        float[] v = exactValues(BANK, rnd);
        System.arraycopy(v, 0, v, 250 * DIM, 50 * DIM);
        return new FeatureMatrix(BANK, DIM, v);
    }

    /** Top-k of each query by double dot product, sorted by similarity descending then index ascending. */
    private static int[][] bruteForceTopK(FeatureMatrix queries, FeatureMatrix bank, int k, double[][] simsOut) {
        int[][] result = new int[queries.rows()][];
        for (int q = 0; q < queries.rows(); q++) {
            double[] sims = new double[bank.rows()];
            for (int n = 0; n < bank.rows(); n++) {
                double s = 0;
                for (int d = 0; d < bank.dim(); d++) {
                    s += (double) queries.get(q, d) * bank.get(n, d);
                }
                sims[n] = s;
            }
            List<Integer> order = new ArrayList<>();
            for (int n = 0; n < bank.rows(); n++) {
                order.add(n);
            }
            order.sort(Comparator.<Integer>comparingDouble(n -> -sims[n]).thenComparingInt(n -> n));
            result[q] = new int[k];
            simsOut[q] = new double[k];
            for (int r = 0; r < k; r++) {
                result[q][r] = order.get(r);
                simsOut[q][r] = sims[order.get(r)];
            }
        }
        return result;
    }

    @Test
    void blockedSearchEqualsBruteForceIncludingTies() {
        Random rnd = new Random(11);
        FeatureMatrix bank = bankWithDuplicates(rnd);
        FeatureMatrix queries = new FeatureMatrix(QUERIES, DIM, exactValues(QUERIES, rnd));
        for (int k : new int[] {1, 5, 64, BANK}) {
            double[][] expectedSims = new double[QUERIES][];
            int[][] expected = bruteForceTopK(queries, bank, k, expectedSims);
            for (int threads : new int[] {1, 3}) {
                Neighbours found = new BlockedNeighbourSearch(threads).search(queries, bank, k);
                assertThat(found.k()).isEqualTo(k);
                for (int q = 0; q < QUERIES; q++) {
                    for (int r = 0; r < k; r++) {
                        assertThat(found.index(q, r)).as("k=%d threads=%d query %d rank %d", k, threads, q, r)
                                .isEqualTo(expected[q][r]);
                        assertThat((double) found.similarity(q, r)).isEqualTo(expectedSims[q][r]);
                    }
                }
            }
        }
    }

    @Test
    void matmulSearchEqualsBruteForceIncludingTies() {
        // The same exact values: oneDNN's f32 GEMM sums them exactly in any order, so ranks, ties
        // and similarities must match the double brute force bit for bit, across tile boundaries
        // (16 x 128 tiles: bank duplicates 250..299 of rows 0..49 lie in another tile).
        Random rnd = new Random(11);
        FeatureMatrix bank = bankWithDuplicates(rnd);
        FeatureMatrix queries = new FeatureMatrix(QUERIES, DIM, exactValues(QUERIES, rnd));
        try (DnnlBackend backend = new DnnlBackend(Precision.F32)) {
            for (MatmulNeighbourSearch search : List.of(new MatmulNeighbourSearch(backend, 16, 128),
                    new MatmulNeighbourSearch(backend))) {
                for (int k : new int[] {1, 5, 64, BANK}) {
                    double[][] expectedSims = new double[QUERIES][];
                    int[][] expected = bruteForceTopK(queries, bank, k, expectedSims);
                    Neighbours found = search.search(queries, bank, k);
                    for (int q = 0; q < QUERIES; q++) {
                        for (int r = 0; r < k; r++) {
                            assertThat(found.index(q, r)).as("k=%d query %d rank %d", k, q, r).isEqualTo(expected[q][r]);
                            assertThat((double) found.similarity(q, r)).isEqualTo(expectedSims[q][r]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void duplicateBankRowsTieAndTheLowerIndexComesFirst() {
        Random rnd = new Random(5);
        FeatureMatrix bank = bankWithDuplicates(rnd);
        // Query = bank row 7, so row 7 and its copy 257 share the top similarity ||row 7||^2 (unless
        // another row beats it, so compare the two ranks rather than asserting they are first).
        float[] q = new float[DIM];
        System.arraycopy(bank.values(), 7 * DIM, q, 0, DIM);
        Neighbours found = new BlockedNeighbourSearch(2).search(new FeatureMatrix(1, DIM, q), bank, BANK);
        int rank7 = -1;
        int rank257 = -1;
        for (int r = 0; r < BANK; r++) {
            if (found.index(0, r) == 7) {
                rank7 = r;
            }
            if (found.index(0, r) == 257) {
                rank257 = r;
            }
        }
        assertThat(found.similarity(0, rank7)).isEqualTo(found.similarity(0, rank257));
        assertThat(rank257).isEqualTo(rank7 + 1);
    }

    @Test
    void kOutsideOneToBankSizeIsRefusedBySearch() {
        FeatureMatrix bank = new FeatureMatrix(3, 2, new float[6]);
        FeatureMatrix query = new FeatureMatrix(1, 2, new float[2]);
        assertThatThrownBy(() -> new BlockedNeighbourSearch(1).search(query, bank, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k = 4").hasMessageContaining("3 rows");
        assertThatThrownBy(() -> new BlockedNeighbourSearch(1).search(query, bank, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BlockedNeighbourSearch(1).search(query, new FeatureMatrix(3, 3, new float[9]), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("features");
    }

    /** Brute-force weighted vote: correct counts [top1, top5] at k, weights exp((s - s_max) / T). */
    private static int[] bruteForceVote(int[][] nbIdx, double[][] nbSims, int[] bankLabels, int[] queryLabels, int k,
                                        double temperature) {
        int top1 = 0;
        int top5 = 0;
        for (int q = 0; q < nbIdx.length; q++) {
            double[] scores = new double[CLASSES];
            for (int r = 0; r < k; r++) {
                scores[bankLabels[nbIdx[q][r]]] += Math.exp((nbSims[q][r] - nbSims[q][0]) / temperature);
            }
            List<Integer> classes = new ArrayList<>();
            for (int c = 0; c < CLASSES; c++) {
                classes.add(c);
            }
            classes.sort(Comparator.<Integer>comparingDouble(c -> -scores[c]).thenComparingInt(c -> c));
            int position = classes.indexOf(queryLabels[q]);
            top1 += position == 0 ? 1 : 0;
            top5 += position < 5 ? 1 : 0;
        }
        return new int[] {top1, top5};
    }

    @Test
    void voteEqualsBruteForceForEveryK() {
        Random rnd = new Random(3);
        FeatureMatrix bank = bankWithDuplicates(rnd);
        FeatureMatrix queries = new FeatureMatrix(QUERIES, DIM, exactValues(QUERIES, rnd));
        int[] bankLabels = rnd.ints(BANK, 0, CLASSES).toArray();
        int[] queryLabels = rnd.ints(QUERIES, 0, CLASSES).toArray();
        int maxK = 200;
        double temperature = 0.07;
        int[] ks = {200, 1, 10, 20, 100}; // unsorted on purpose: results must follow this order
        double[][] sims = new double[QUERIES][];
        int[][] idx = bruteForceTopK(queries, bank, maxK, sims);

        Neighbours found = new BlockedNeighbourSearch(2).search(queries, bank, maxK);
        List<KnnAccuracy> results = KnnClassifier.evaluate(found, bankLabels, queryLabels, CLASSES, ks, temperature);

        assertThat(results).extracting(KnnAccuracy::k).containsExactly(200, 1, 10, 20, 100);
        for (KnnAccuracy result : results) {
            int[] expected = bruteForceVote(idx, sims, bankLabels, queryLabels, result.k(), temperature);
            assertThat(result.neighbours()).isEqualTo(result.k());
            assertThat(result.queries()).isEqualTo(QUERIES);
            assertThat(result.top1Correct()).as("top-1 at k=%d", result.k()).isEqualTo(expected[0]);
            assertThat(result.top5Correct()).as("top-5 at k=%d", result.k()).isEqualTo(expected[1]);
        }
    }

    @Test
    void tiedClassScoresGoToTheLowerClassIndex() {
        // Two identical bank rows labelled 3 and 1: at k=2 both classes score the same weight.
        FeatureMatrix bank = new FeatureMatrix(2, 2, new float[] {1, 0, 1, 0});
        int[] bankLabels = {3, 1};
        FeatureMatrix queries = new FeatureMatrix(2, 2, new float[] {1, 0, 1, 0});
        int[] queryLabels = {1, 3};
        Neighbours found = new BlockedNeighbourSearch(1).search(queries, bank, 2);
        List<KnnAccuracy> results = KnnClassifier.evaluate(found, bankLabels, queryLabels, 4, new int[] {1, 2}, 0.07);
        // k=1: the tie between the rows goes to row 0 (label 3): only the query labelled 3 is right.
        assertThat(results.get(0).top1Correct()).isEqualTo(1);
        assertThat(KnnClassifier.evaluate(found, bankLabels, new int[] {3, 3}, 4, new int[] {1}, 0.07).get(0).top1Correct())
                .isEqualTo(2);
        // k=2: classes 1 and 3 tie; class 1 ranks first, so only the query labelled 1 is right at top-1.
        assertThat(KnnClassifier.evaluate(found, bankLabels, new int[] {1, 1}, 4, new int[] {2}, 0.07).get(0).top1Correct())
                .isEqualTo(2);
        assertThat(results.get(1).top1Correct()).isEqualTo(1);
        assertThat(results.get(1).top5Correct()).isEqualTo(2);
    }

    @Test
    void evaluationClampsKAboveTheBankSizeAndNormalisesFeatures() {
        Random rnd = new Random(8);
        int bankRows = 40;
        int queryRows = 25;
        int dim = 6;
        float[] bankValues = new float[bankRows * dim];
        float[] queryValues = new float[queryRows * dim];
        for (int i = 0; i < bankValues.length; i++) {
            bankValues[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < queryValues.length; i++) {
            queryValues[i] = (float) rnd.nextGaussian();
        }
        int[] bankLabels = rnd.ints(bankRows, 0, CLASSES).toArray();
        int[] queryLabels = rnd.ints(queryRows, 0, CLASSES).toArray();
        // Brute force on cosine similarity in double (continuous random data: no near-ties to flip).
        double[][] sims = new double[queryRows][];
        int[][] idx = bruteForceTopK(normalisedCopy(queryValues, queryRows, dim), normalisedCopy(bankValues, bankRows, dim),
                bankRows, sims);

        List<KnnAccuracy> results = new KnnEvaluation(new BlockedNeighbourSearch(2)).run(
                new LabeledFeatures(new FeatureMatrix(bankRows, dim, bankValues.clone()), bankLabels, CLASSES),
                new LabeledFeatures(new FeatureMatrix(queryRows, dim, queryValues.clone()), queryLabels, CLASSES),
                new int[] {3, 40, 1000}, 0.07);

        assertThat(results).extracting(KnnAccuracy::k).containsExactly(3, 40, 1000);
        assertThat(results).extracting(KnnAccuracy::neighbours).containsExactly(3, 40, 40);
        int[] at3 = bruteForceVote(idx, sims, bankLabels, queryLabels, 3, 0.07);
        int[] atAll = bruteForceVote(idx, sims, bankLabels, queryLabels, bankRows, 0.07);
        assertThat(results.get(0).top1Correct()).isEqualTo(at3[0]);
        assertThat(results.get(0).top5Correct()).isEqualTo(at3[1]);
        assertThat(results.get(2).top1Correct()).isEqualTo(atAll[0]).isEqualTo(results.get(1).top1Correct());
        assertThat(results.get(2).top5Correct()).isEqualTo(atAll[1]).isEqualTo(results.get(1).top5Correct());
    }

    private static FeatureMatrix normalisedCopy(float[] values, int rows, int dim) {
        float[] out = new float[values.length];
        for (int r = 0; r < rows; r++) {
            double norm = 0;
            for (int d = 0; d < dim; d++) {
                norm += (double) values[r * dim + d] * values[r * dim + d];
            }
            for (int d = 0; d < dim; d++) {
                out[r * dim + d] = (float) (values[r * dim + d] / Math.sqrt(norm));
            }
        }
        return new FeatureMatrix(rows, dim, out);
    }

    @Test
    void unlabelledOrEmptyInputsAreRefusedWithAReason() {
        FeatureMatrix f = new FeatureMatrix(2, 2, new float[] {1, 0, 0, 1});
        KnnEvaluation knn = new KnnEvaluation(new BlockedNeighbourSearch(1));
        assertThatThrownBy(() -> knn.run(new LabeledFeatures(f, new int[] {-1, -1}, 0),
                new LabeledFeatures(f, new int[] {0, 1}, 2), new int[] {1}, 0.07))
                .hasMessageContaining("no class labels");
        assertThatThrownBy(() -> knn.run(new LabeledFeatures(f, new int[] {0, 1}, 2),
                new LabeledFeatures(f, new int[] {0, 1}, 2), new int[] {0}, 0.07))
                .hasMessageContaining("k = 0");
        assertThatThrownBy(() -> knn.run(new LabeledFeatures(f, new int[] {0, 1}, 2),
                new LabeledFeatures(f, new int[] {0, 1}, 2), new int[] {1}, 0))
                .hasMessageContaining("temperature");
    }
}
