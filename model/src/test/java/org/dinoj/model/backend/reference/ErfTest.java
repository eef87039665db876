package org.dinoj.model.backend.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ErfTest {
    // Expected values are tabulated erf/erfc (Abramowitz & Stegun 7.1; the digits here are those of
    // the C library's erf/erfc as printed by CPython), correct to about 1 ulp. The brief for the
    // reference is ~1e-15 relative accuracy, so we allow 4e-15 relative.
    private static final double REL = 4e-15;

    @Test
    void erfMatchesTabulatedValues() {
        assertRel(Erf.erf(0.5), 0.5204998778130465);
        assertRel(Erf.erf(1), 0.8427007929497149);
        assertRel(Erf.erf(2), 0.9953222650189527);
        assertRel(Erf.erf(3), 0.9999779095030014);
        assertRel(Erf.erf(-1), -0.8427007929497149);
        assertThat(Erf.erf(0)).isZero();
        assertThat(Erf.erf(40)).isEqualTo(1.0);
        assertThat(Erf.erf(Double.NEGATIVE_INFINITY)).isEqualTo(-1.0);
    }

    @Test
    void erfcKeepsRelativeAccuracyInTheTail() {
        assertRel(Erf.erfc(-1), 1.842700792949715);
        assertRel(Erf.erfc(0.3), 0.6713732405408726);
        assertRel(Erf.erfc(1.5), 0.033894853524689274);
        assertRel(Erf.erfc(3), 2.2090496998585438e-05);
        assertRel(Erf.erfc(5), 1.5374597944280351e-12);
        assertRel(Erf.erfc(10), 2.088487583762545e-45);
        assertRel(Erf.erfc(26), 5.663192408856143e-296);
        assertThat(Erf.erfc(Double.POSITIVE_INFINITY)).isZero();
    }

    @Test
    void erfIsContinuousWhereTheExpansionsMeet() {
        // The series and the continued fraction meet at 1.5: no jump beyond rounding there.
        double below = Erf.erf(Math.nextDown(1.5));
        double above = Erf.erf(1.5);
        assertThat(above - below).isCloseTo(0, within(4e-16));
    }

    private static void assertRel(double actual, double expected) {
        assertThat(actual).isCloseTo(expected, within(REL * Math.abs(expected)));
    }
}
