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

class DinoLossTest {
    /** F64 throughout; the loss is a sum of a few hundred terms of order 1. */
    private static final double TOL = 1e-12;

    private final Backend backend = SslTestSupport.referenceBackend();
    private final HostArena arena = new HostArena();

    @AfterEach
    void close() {
        arena.close();
        backend.close();
    }

    private static double[] logSoftmax(double[] s, double temp) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : s) {
            max = Math.max(max, v / temp);
        }
        double z = 0;
        for (double v : s) {
            z += Math.exp(v / temp - max);
        }
        double[] out = new double[s.length];
        for (int k = 0; k < s.length; k++) {
            out[k] = s[k] / temp - max - Math.log(z);
        }
        return out;
    }

    /** -mean_b sum_k t[b] log_softmax(s[b] / 0.1): one (student view, teacher view) term. */
    private static double crossEntropy(double[][] student, int studentFrom, double[][] teacher, int teacherFrom,
                                       int b) {
        double total = 0;
        for (int i = 0; i < b; i++) {
            double[] lsm = logSoftmax(student[studentFrom + i], 0.1);
            for (int k = 0; k < lsm.length; k++) {
                total -= teacher[teacherFrom + i][k] * lsm[k];
            }
        }
        return total / b;
    }

    private static double[][] probabilities(Random rng, int rows, int k) {
        double[][] p = SslTestSupport.randomMatrix(rng, rows, k, 1.0);
        for (double[] row : p) {
            double s = 0;
            for (int j = 0; j < k; j++) {
                row[j] = Math.exp(row[j]);
                s += row[j];
            }
            for (int j = 0; j < k; j++) {
                row[j] /= s;
            }
        }
        return p;
    }

    @Test
    void denominatorCountsEveryCrossViewPairAsDinov2() {
        assertThat(new DinoLoss(backend, arena, DType.F64, 2, 8, 4).denominator()).isEqualTo(18);
        assertThat(new DinoLoss(backend, arena, DType.F64, 2, 2, 4).denominator()).isEqualTo(6);
        // dinov2: n_local_crops_loss_terms = max(0 * 2, 1) = 1, so 1 + 2
        assertThat(new DinoLoss(backend, arena, DType.F64, 2, 0, 4).denominator()).isEqualTo(3);
    }

    @Test
    void matchesPairwiseCrossEntropiesOfEveryStudentViewAgainstTheOtherTeacherViews() {
        int b = 3;
        int l = 2;
        int k = 5;
        Random rng = new Random(42);
        double[][] sg = SslTestSupport.randomMatrix(rng, 2 * b, k, 0.5);
        double[][] sl = SslTestSupport.randomMatrix(rng, l * b, k, 0.5);
        double[][] t = probabilities(rng, 2 * b, k);
        DinoLoss loss = new DinoLoss(backend, arena, DType.F64, b, l, k);
        Tensor gg = arena.allocate(DType.F64, 2 * b, k);
        Tensor gl = arena.allocate(DType.F64, l * b, k);
        DinoLoss.Terms terms = loss.forwardBackward(SslTestSupport.tensor(arena, DType.F64, sg),
                SslTestSupport.tensor(arena, DType.F64, sl), SslTestSupport.tensor(arena, DType.F64, t), 1.0, gg, gl);
        double d = 2 * l + 2;
        // global: student crop 0 vs teacher crop 1 and crop 1 vs crop 0, never a crop with itself
        double global = (crossEntropy(sg, 0, t, b, b) + crossEntropy(sg, b, t, 0, b)) / d;
        double local = 0;
        for (int crop = 0; crop < l; crop++) {
            local += crossEntropy(sl, crop * b, t, 0, b) + crossEntropy(sl, crop * b, t, b, b);
        }
        local /= d;
        assertThat(terms.globalCropsLoss()).isCloseTo(global, within(TOL));
        assertThat(terms.localCropsLoss()).isCloseTo(local, within(TOL));
    }

    @Test
    void globalCropIsNeverPairedWithItsOwnTeacherView() {
        int b = 2;
        int k = 4;
        Random rng = new Random(9);
        double[][] sg = SslTestSupport.randomMatrix(rng, 2 * b, k, 0.5);
        double[][] t = probabilities(rng, 2 * b, k);
        double[][] changed = probabilities(rng, 2 * b, k);
        // keep teacher crop 1, replace teacher crop 0
        for (int i = b; i < 2 * b; i++) {
            changed[i] = t[i].clone();
        }
        DinoLoss loss = new DinoLoss(backend, arena, DType.F64, b, 0, k);
        Tensor g1 = arena.allocate(DType.F64, 2 * b, k);
        Tensor g2 = arena.allocate(DType.F64, 2 * b, k);
        loss.forwardBackward(SslTestSupport.tensor(arena, DType.F64, sg), null,
                SslTestSupport.tensor(arena, DType.F64, t), 1.0, g1, null);
        loss.forwardBackward(SslTestSupport.tensor(arena, DType.F64, sg), null,
                SslTestSupport.tensor(arena, DType.F64, changed), 1.0, g2, null);
        double[][] a = SslTestSupport.rows(g1);
        double[][] c = SslTestSupport.rows(g2);
        // student crop 0 only sees teacher crop 1: its gradient is unchanged; crop 1's changes
        for (int i = 0; i < b; i++) {
            assertThat(c[i]).containsExactly(a[i]);
        }
        assertThat(c[b]).isNotEqualTo(a[b]);
    }

    @Test
    void uniformStudentGivesLogKPerTermSoTheEighteenTermMeanIsLogK() {
        int b = 2;
        int k = 8;
        Random rng = new Random(5);
        double[][] t = probabilities(rng, 2 * b, k);
        DinoLoss loss = new DinoLoss(backend, arena, DType.F64, b, 8, k);
        DinoLoss.Terms terms = loss.forwardBackward(arena.allocate(DType.F64, 2 * b, k),
                arena.allocate(DType.F64, 8 * b, k), SslTestSupport.tensor(arena, DType.F64, t), 1.0,
                arena.allocate(DType.F64, 2 * b, k), arena.allocate(DType.F64, 8 * b, k));
        // every term is -sum_k t_k log(1/K) = log K: 16 local and 2 global terms, over 18
        assertThat(terms.localCropsLoss()).isCloseTo(16 * Math.log(k) / 18, within(TOL));
        assertThat(terms.globalCropsLoss()).isCloseTo(2 * Math.log(k) / 18, within(TOL));
    }

    @Test
    void gradientMatchesCentralFiniteDifferences() {
        int b = 2;
        int l = 2;
        int k = 4;
        double weight = 0.7;
        Random rng = new Random(17);
        Tensor sg = SslTestSupport.tensor(arena, DType.F64, SslTestSupport.randomMatrix(rng, 2 * b, k, 0.5));
        Tensor sl = SslTestSupport.tensor(arena, DType.F64, SslTestSupport.randomMatrix(rng, l * b, k, 0.5));
        Tensor t = SslTestSupport.tensor(arena, DType.F64, probabilities(rng, 2 * b, k));
        DinoLoss loss = new DinoLoss(backend, arena, DType.F64, b, l, k);
        Tensor gg = arena.allocate(DType.F64, 2 * b, k);
        Tensor gl = arena.allocate(DType.F64, l * b, k);
        Tensor scratchG = arena.allocate(DType.F64, 2 * b, k);
        Tensor scratchL = arena.allocate(DType.F64, l * b, k);
        loss.forwardBackward(sg, sl, t, weight, gg, gl);
        java.util.function.DoubleSupplier f = () -> {
            DinoLoss.Terms terms = loss.forwardBackward(sg, sl, t, weight, scratchG, scratchL);
            return weight * (terms.localCropsLoss() + terms.globalCropsLoss());
        };
        SslTestSupport.assertGradientMatches(sg, gg, f);
        SslTestSupport.assertGradientMatches(sl, gl, f);
    }
}
