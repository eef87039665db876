package org.dinoj.model.ssl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SinkhornKnoppTest {
    /** F64 end to end; the only differences are summation order and the max shift (~1e-15 relative). */
    private static final double TOL = 1e-12;

    private final Backend backend = SslTestSupport.referenceBackend();
    private final HostArena arena = new HostArena();

    @AfterEach
    void close() {
        arena.close();
        backend.close();
    }

    /** dinov2's sinkhorn_knopp_teacher written from the formula: Q is K x B, no max subtraction. */
    private static double[][] direct(double[][] logits, double temp, int iterations) {
        int n = logits.length;
        int k = logits[0].length;
        double[][] q = new double[k][n];
        double total = 0;
        for (int p = 0; p < k; p++) {
            for (int b = 0; b < n; b++) {
                q[p][b] = Math.exp(logits[b][p] / temp);
                total += q[p][b];
            }
        }
        for (double[] row : q) {
            for (int b = 0; b < n; b++) {
                row[b] /= total;
            }
        }
        for (int it = 0; it < iterations; it++) {
            for (double[] row : q) {
                double s = 0;
                for (double v : row) {
                    s += v;
                }
                for (int b = 0; b < n; b++) {
                    row[b] = row[b] / s / k;
                }
            }
            for (int b = 0; b < n; b++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += q[p][b];
                }
                for (int p = 0; p < k; p++) {
                    q[p][b] = q[p][b] / s / n;
                }
            }
        }
        double[][] out = new double[n][k];
        for (int b = 0; b < n; b++) {
            for (int p = 0; p < k; p++) {
                out[b][p] = q[p][b] * n;
            }
        }
        return out;
    }

    private double[][] run(double[][] logits, double temp, int iterations) {
        int n = logits.length;
        int k = logits[0].length;
        Tensor t = SslTestSupport.tensor(arena, DType.F64, logits);
        Tensor out = arena.allocate(DType.F64, n, k);
        new SinkhornKnopp(backend, arena, DType.F64, n + 3, k, iterations).compute(t, temp, out);
        return SslTestSupport.rows(out);
    }

    @Test
    void matchesTheDirectFormulaOnRandomLogits() {
        double[][] logits = SslTestSupport.randomMatrix(new Random(7), 6, 5, 2.0);
        double[][] expected = direct(logits, 0.5, 3);
        double[][] actual = run(logits, 0.5, 3);
        for (int b = 0; b < 6; b++) {
            for (int p = 0; p < 5; p++) {
                assertThat(actual[b][p]).isCloseTo(expected[b][p], within(TOL));
            }
        }
    }

    @Test
    void sampleRowsSumToOneAndPrototypeColumnsApproachBOverK() {
        double[][] logits = SslTestSupport.randomMatrix(new Random(11), 8, 4, 3.0);
        double[][] once = run(logits, 0.25, 1);
        double[][] thrice = run(logits, 0.25, 3);
        for (double[] row : thrice) {
            double s = 0;
            for (double v : row) {
                s += v;
            }
            // the column normalisation comes last: every sample is an assignment
            assertThat(s).isCloseTo(1.0, within(TOL));
        }
        // each prototype's mass tends to B/K = 2: 3 iterations get closer than 1, and iterating on
        // converges to it (the fixed point has both marginals)
        assertThat(prototypeImbalance(thrice, 2.0)).isLessThan(prototypeImbalance(once, 2.0));
        assertThat(prototypeImbalance(run(logits, 0.25, 500), 2.0)).isLessThan(1e-9);
    }

    private static double prototypeImbalance(double[][] q, double target) {
        double worst = 0;
        for (int p = 0; p < q[0].length; p++) {
            double s = 0;
            for (double[] row : q) {
                s += row[p];
            }
            worst = Math.max(worst, Math.abs(s - target));
        }
        return worst;
    }

    @Test
    void rankOneExponentialsBecomeUniformAssignments() {
        // logits a_n + b_k make exp(.) = u_n v_k: one prototype normalisation leaves u_n / sum(u) / K,
        // the sample normalisation then 1 / (K B), and Q *= B gives exactly 1/K everywhere.
        double[] a = {0.3, -1.2, 2.0};
        double[] bk = {1.0, -0.5, 0.0, 0.7};
        double[][] logits = new double[3][4];
        for (int n = 0; n < 3; n++) {
            for (int k = 0; k < 4; k++) {
                logits[n][k] = a[n] + bk[k];
            }
        }
        for (double[] row : run(logits, 0.5, 3)) {
            for (double v : row) {
                assertThat(v).isCloseTo(0.25, within(TOL));
            }
        }
    }

    @Test
    void balancedTwoByTwoCaseIsRowNormalisedExp() {
        // exp(logits / T) = [[1, 2], [2, 1]] is balanced (equal row and column sums), so every
        // normalisation only rescales it: targets = [[1/3, 2/3], [2/3, 1/3]].
        double temp = 0.5;
        double[][] logits = {{0, temp * Math.log(2)}, {temp * Math.log(2), 0}};
        double[][] q = run(logits, temp, 3);
        assertThat(q[0][0]).isCloseTo(1.0 / 3, within(TOL));
        assertThat(q[0][1]).isCloseTo(2.0 / 3, within(TOL));
        assertThat(q[1][0]).isCloseTo(2.0 / 3, within(TOL));
        assertThat(q[1][1]).isCloseTo(1.0 / 3, within(TOL));
    }

    @Test
    void hugeLogitsDoNotOverflowBecauseTheGlobalMaxIsSubtracted() {
        double[][] logits = SslTestSupport.randomMatrix(new Random(3), 5, 6, 1.0);
        double[][] expected = direct(logits, 0.5, 3);
        double[][] shifted = new double[5][6];
        for (int n = 0; n < 5; n++) {
            for (int k = 0; k < 6; k++) {
                shifted[n][k] = logits[n][k] + 1000; // exp(2000) overflows a double
            }
        }
        double[][] actual = run(shifted, 0.5, 3);
        for (int n = 0; n < 5; n++) {
            for (int k = 0; k < 6; k++) {
                // the shift costs ~1000 * 2^-52 of absolute precision in the exponent
                assertThat(actual[n][k]).isCloseTo(expected[n][k], within(1e-10));
            }
        }
    }

    @Test
    void ibotVariantUsesTheMaskedPatchCountAsB() {
        // iBOT calls it with the M masked-patch rows; B = M, so rows sum to 1 and columns to ~M/K
        double[][] logits = SslTestSupport.randomMatrix(new Random(5), 7, 3, 1.5);
        double[][] expected = direct(logits, 0.5, 3);
        double[][] actual = run(logits, 0.5, 3);
        for (int n = 0; n < 7; n++) {
            for (int k = 0; k < 3; k++) {
                assertThat(actual[n][k]).isCloseTo(expected[n][k], within(TOL));
            }
        }
    }
}
