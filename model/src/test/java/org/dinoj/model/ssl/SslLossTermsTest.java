package org.dinoj.model.ssl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SslLossTermsTest {

    @Test
    void totalWeighsDinoAndIbotButAddsTheKoleoTermAsIs() {
        SslLossTerms terms = new SslLossTerms(1.5, 0.25, 0.5, 2.0);
        assertThat(terms.total(1.0, 1.0)).isEqualTo(1.5 + 0.25 + 0.5 + 2.0);
        assertThat(terms.total(0.5, 2.0)).isEqualTo(0.5 * 1.75 + 0.5 + 4.0);
    }

    @Test
    void loggedValuesHalveKoleoAndIbotAsDinov2() {
        SslLossTerms terms = new SslLossTerms(1.5, 0.25, 0.5, 2.0);
        assertThat(terms.logged()).containsEntry("koleo_loss", 0.25).containsEntry("ibot_loss", 1.0)
                .containsEntry("total_loss", 1.5 + 0.25 + 0.25 + 1.0);
    }

    @Test
    void infiniteKoleoRefusesTheStepNamingTheTerm() {
        SslLossTerms terms = new SslLossTerms(1.0, 1.0, Double.POSITIVE_INFINITY, 1.0);
        assertThatThrownBy(() -> terms.requireFinite(41))
                .isInstanceOfSatisfying(NonFiniteStepException.class, e -> {
                    assertThat(e.step()).isEqualTo(41);
                    assertThat(e.kind()).isEqualTo(NonFiniteStepException.Kind.LOSS);
                    assertThat(e.source()).isEqualTo("koleo_loss");
                    assertThat(e.value()).isInfinite();
                });
    }

    @Test
    void nanDinoTermIsCaughtToo() {
        assertThatThrownBy(() -> new SslLossTerms(Double.NaN, 0, 0, 0).requireFinite(3))
                .isInstanceOf(NonFiniteStepException.class)
                .hasMessageContaining("dino_local_crops_loss");
    }

    @Test
    void finiteTermsPass() throws NonFiniteStepException {
        new SslLossTerms(1, 2, 3, 4).requireFinite(0);
    }
}
