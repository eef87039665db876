package org.dinoj.model.ssl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SslSchedulesTest {
    /** Values are closed-form doubles; only the last bits of cos() and the divisions may differ. */
    private static final double TOL = 1e-15;

    private final SslConfig defaults = SslConfig.defaults();

    @Test
    void learningRateIsScaledBySqrtOfTotalBatchOver1024() {
        assertThat(defaults.optim().scaledLr(1024)).isEqualTo(0.004);
        assertThat(defaults.optim().scaledLr(64)).isCloseTo(0.004 * 0.25, within(TOL));
        assertThat(defaults.optim().scaledLr(2048)).isCloseTo(0.004 * Math.sqrt(2), within(TOL));
    }

    @Test
    void learningRateWarmsUpLinearlyToPeakThenDecaysByCosineToMinLr() {
        SslSchedules s = new SslSchedules(defaults, 1024);
        double peak = 0.004;
        long warmup = 10 * 1250;
        long total = 100 * 1250;
        assertThat(s.totalIters()).isEqualTo(total);
        assertThat(s.lr(0)).isEqualTo(0.0);
        // linspace(0, peak, warmup) includes both ends: the last warm-up iteration is already the peak
        assertThat(s.lr(warmup - 1)).isCloseTo(peak, within(TOL));
        assertThat(s.lr(100)).isCloseTo(peak * 100 / (warmup - 1), within(TOL));
        // the cosine starts at its base value at i = 0
        assertThat(s.lr(warmup)).isCloseTo(peak, within(TOL));
        long length = total - warmup;
        long mid = warmup + length / 2;
        assertThat(s.lr(mid)).isCloseTo(1e-6 + 0.5 * (peak - 1e-6) * (1 + Math.cos(Math.PI * 0.5)), within(TOL));
        double last = 1e-6 + 0.5 * (peak - 1e-6) * (1 + Math.cos(Math.PI * (length - 1) / length));
        assertThat(s.lr(total - 1)).isCloseTo(last, within(TOL));
        assertThat(s.lr(total - 1)).isGreaterThan(1e-6);
        assertThat(s.lr(total)).isEqualTo(1e-6);
        assertThat(s.lr(10 * total)).isEqualTo(1e-6);
    }

    @Test
    void weightDecayAndMomentumFollowCosinesWithoutWarmup() {
        SslSchedules s = new SslSchedules(defaults, 1024);
        long total = 100 * 1250;
        assertThat(s.weightDecay(0)).isCloseTo(0.04, within(TOL));
        assertThat(s.weightDecay(total / 2)).isCloseTo((0.04 + 0.4) / 2, within(TOL));
        assertThat(s.weightDecay(total)).isEqualTo(0.4);
        assertThat(s.teacherMomentum(0)).isCloseTo(0.992, within(TOL));
        assertThat(s.teacherMomentum(total / 2)).isCloseTo((0.992 + 1) / 2, within(TOL));
        assertThat(s.teacherMomentum(total - 1))
                .isCloseTo(1 + 0.5 * (0.992 - 1) * (1 + Math.cos(Math.PI * (total - 1) / total)), within(TOL));
        assertThat(s.teacherMomentum(total)).isEqualTo(1.0);
    }

    @Test
    void teacherTemperatureWarmsUpLinearlyThenStaysConstant() {
        SslSchedules s = new SslSchedules(defaults, 1024);
        long warmup = 30 * 1250;
        assertThat(s.teacherTemp(0)).isEqualTo(0.04);
        assertThat(s.teacherTemp(warmup - 1)).isCloseTo(0.07, within(TOL));
        assertThat(s.teacherTemp(1000)).isCloseTo(0.04 + (0.07 - 0.04) * 1000 / (warmup - 1.0), within(TOL));
        assertThat(s.teacherTemp(warmup)).isEqualTo(0.07);
        assertThat(s.teacherTemp(90 * 1250)).isEqualTo(0.07);
    }

    @Test
    void lastLayerLrIsZeroDuringTheFrozenEpochsThenEqualsLr() {
        SslSchedules s = new SslSchedules(defaults, 1024);
        assertThat(s.lastLayerLr(0)).isEqualTo(0.0);
        assertThat(s.lastLayerLr(1249)).isEqualTo(0.0);
        assertThat(s.lr(1249)).isGreaterThan(0);
        assertThat(s.lastLayerLr(1250)).isEqualTo(s.lr(1250));
        assertThat(s.lastLayerLr(1250)).isCloseTo(0.004 * 1250 / 12499, within(TOL));
    }

    @Test
    void epochLengthIsConfigurable() {
        OptimConfig optim = new OptimConfig(4, 0.04, 0.2, 0.004, 1, 1e-6, 3.0, 2, OptimConfig.SQRT_WRT_1024, 0.2, 0.9,
                0.9, 0.999);
        TeacherConfig teacher = new TeacherConfig(0.992, 1.0, 0.04, 0.07, 2);
        TrainConfig train = new TrainConfig(16, 10, CenteringMode.CENTERING, 0);
        SslSchedules s = new SslSchedules(optim, teacher, train, 256);
        double peak = 0.004 * 0.5;
        assertThat(s.totalIters()).isEqualTo(40);
        assertThat(s.lr(9)).isCloseTo(peak, within(TOL));
        assertThat(s.lr(5)).isCloseTo(peak * 5 / 9, within(TOL));
        assertThat(s.lr(40)).isEqualTo(1e-6);
        assertThat(s.lastLayerLr(19)).isEqualTo(0.0);
        assertThat(s.lastLayerLr(20)).isEqualTo(s.lr(20));
        assertThat(s.teacherTemp(19)).isCloseTo(0.07, within(TOL));
        assertThat(s.teacherTemp(20)).isEqualTo(0.07);
        assertThat(s.weightDecay(20)).isCloseTo((0.04 + 0.2) / 2, within(TOL));
        assertThat(s.weightDecay(40)).isEqualTo(0.2);
        SslSchedules.Values v = s.at(25);
        assertThat(v.lr()).isEqualTo(s.lr(25));
        assertThat(v.teacherMomentum()).isEqualTo(s.teacherMomentum(25));
    }

    @Test
    void warmupLongerThanTrainingIsRejected() {
        assertThatThrownBy(() -> new CosineSchedule(1, 0, 10, 11, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("warm-up");
    }

    @Test
    void onePointWarmupIsItsStartValueAsNumpyLinspace() {
        CosineSchedule s = new CosineSchedule(1.0, 0.0, 5, 1, 0.25, 0);
        assertThat(s.at(0)).isEqualTo(0.25);
        assertThat(s.at(1)).isEqualTo(1.0);
    }

    @Test
    void freezeIterationsComeBeforeTheWarmup() {
        CosineSchedule s = new CosineSchedule(1.0, 0.0, 10, 3, 0.1, 2);
        assertThat(s.at(0)).isEqualTo(0.0);
        assertThat(s.at(1)).isEqualTo(0.0);
        assertThat(s.at(2)).isEqualTo(0.1);
        assertThat(s.at(4)).isEqualTo(1.0);
        assertThat(s.at(5)).isEqualTo(1.0);
        assertThat(s.at(6)).isCloseTo(0.5 * (1 + Math.cos(Math.PI / 5)), within(TOL));
    }
}
