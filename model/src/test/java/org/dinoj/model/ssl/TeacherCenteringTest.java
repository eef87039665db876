package org.dinoj.model.ssl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TeacherCenteringTest {
    /** F64 tensors, but Backend.linear takes float scalars: 0.9f and (0.1/N)f are off by ~3e-8 relative. */
    private static final double TOL = 1e-7;

    private final Backend backend = SslTestSupport.referenceBackend();
    private final HostArena arena = new HostArena();

    @AfterEach
    void close() {
        arena.close();
        backend.close();
    }

    private static double[] softmaxRow(double[] logits, double[] center, double temp) {
        double[] out = new double[logits.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < logits.length; k++) {
            out[k] = (logits[k] - center[k]) / temp;
            max = Math.max(max, out[k]);
        }
        double s = 0;
        for (int k = 0; k < out.length; k++) {
            out[k] = Math.exp(out[k] - max);
            s += out[k];
        }
        for (int k = 0; k < out.length; k++) {
            out[k] /= s;
        }
        return out;
    }

    private static double[] columnMean(double[][] m) {
        double[] mean = new double[m[0].length];
        for (double[] row : m) {
            for (int k = 0; k < row.length; k++) {
                mean[k] += row[k] / m.length;
            }
        }
        return mean;
    }

    @Test
    void centerUsedAtStepKExcludesStepKsOwnOutput() {
        int k = 5;
        double temp = 0.25;
        Random rng = new Random(1);
        double[][][] steps = {SslTestSupport.randomMatrix(rng, 4, k, 2.0), SslTestSupport.randomMatrix(rng, 4, k, 2.0),
                SslTestSupport.randomMatrix(rng, 3, k, 2.0)};
        TeacherCentering centering = new TeacherCentering(backend, arena, DType.F64, k, 0.9);
        double[] center = new double[k];
        for (double[][] logits : steps) {
            Tensor out = arena.allocate(DType.F64, logits.length, k);
            centering.compute(SslTestSupport.tensor(arena, DType.F64, logits), temp, out);
            double[][] actual = SslTestSupport.rows(out);
            // this step's targets use the center from earlier steps only
            for (int n = 0; n < logits.length; n++) {
                double[] expected = softmaxRow(logits[n], center, temp);
                for (int j = 0; j < k; j++) {
                    assertThat(actual[n][j]).isCloseTo(expected[j], within(TOL));
                }
            }
            // the stored center still excludes this step until the next call
            assertThat(centering.hasPendingUpdate()).isTrue();
            for (int j = 0; j < k; j++) {
                assertThat(centering.center().get(0, j)).isCloseTo(center[j], within(TOL));
            }
            double[] mean = columnMean(logits);
            for (int j = 0; j < k; j++) {
                center[j] = 0.9 * center[j] + 0.1 * mean[j];
            }
        }
        centering.applyPendingUpdate();
        assertThat(centering.hasPendingUpdate()).isFalse();
        for (int j = 0; j < k; j++) {
            assertThat(centering.center().get(0, j)).isCloseTo(center[j], within(TOL));
        }
    }

    @Test
    void firstStepTargetsArePlainSoftmaxOfLogitsOverTemperature() {
        double[][] logits = {{1.0, 0.0, -1.0}};
        TeacherCentering centering = new TeacherCentering(backend, arena, DType.F64, 3, 0.9);
        Tensor out = arena.allocate(DType.F64, 1, 3);
        centering.compute(SslTestSupport.tensor(arena, DType.F64, logits), 0.5, out);
        double z = Math.exp(2) + 1 + Math.exp(-2);
        assertThat(out.get(0, 0)).isCloseTo(Math.exp(2) / z, within(TOL));
        assertThat(out.get(0, 1)).isCloseTo(1 / z, within(TOL));
        assertThat(out.get(0, 2)).isCloseTo(Math.exp(-2) / z, within(TOL));
    }

    @Test
    void configChoosesCenteringOrSinkhornKnopp() {
        assertThat(TeacherTargets.of(CenteringMode.fromKey("centering"), backend, arena, DType.F64, 4, 3))
                .isInstanceOf(TeacherCentering.class);
        assertThat(TeacherTargets.of(CenteringMode.fromKey("sinkhorn_knopp"), backend, arena, DType.F64, 4, 3))
                .isInstanceOf(SinkhornKnopp.class);
        assertThatThrownBy(() -> CenteringMode.fromKey("sinkhorn"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("train.centering");
    }
}
