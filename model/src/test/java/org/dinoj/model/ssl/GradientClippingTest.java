package org.dinoj.model.ssl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.nn.Parameter;
import org.dinoj.model.tensor.HostArena;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GradientClippingTest {
    /** f32 gradients. */
    private static final double TOL = 1e-6;

    private final Backend backend = SslTestSupport.referenceBackend();
    private final HostArena arena = new HostArena();

    @AfterEach
    void close() {
        arena.close();
        backend.close();
    }

    private Parameter param(String name, float... grad) {
        return new Parameter(name, arena.f32(grad.length), arena.f32(grad.length).copyFrom(grad));
    }

    private Map<String, List<Parameter>> modules(Parameter a, Parameter b, Parameter head) {
        Map<String, List<Parameter>> m = new LinkedHashMap<>();
        m.put("backbone", List.of(a, b));
        m.put("dino_head", List.of(head));
        return m;
    }

    @Test
    void eachSubModuleIsClippedByItsOwnGlobalNorm() throws NonFiniteStepException {
        Parameter a = param("blocks.0.w", 3, 0);
        Parameter b = param("norm.weight", 4); // backbone norm sqrt(9 + 16) = 5
        Parameter head = param("mlp.0.weight", 0.6f, 0.8f); // norm 1, under the limit
        try (GradientClipping clipping = new GradientClipping(backend, arena, modules(a, b, head))) {
            Map<String, Double> norms = clipping.clip(7, 3.0);
            assertThat(norms.get("backbone")).isCloseTo(5.0, within(TOL));
            assertThat(norms.get("dino_head")).isCloseTo(1.0, within(TOL));
        }
        double coef = 3.0 / (5.0 + 1e-6);
        assertThat(a.grad().get(0)).isCloseTo(3 * coef, within(TOL));
        assertThat(b.grad().get(0)).isCloseTo(4 * coef, within(TOL));
        assertThat(head.grad().toFloatArray()).containsExactly(0.6f, 0.8f);
    }

    @Test
    void nonFiniteGradientRefusesTheStepNamingTheSubModuleAndTouchesNothing() {
        Parameter a = param("blocks.0.w", 30, 40);
        Parameter b = param("norm.weight", 1);
        Parameter head = param("mlp.0.weight", 1, Float.NaN);
        try (GradientClipping clipping = new GradientClipping(backend, arena, modules(a, b, head))) {
            assertThatThrownBy(() -> clipping.clip(12, 3.0))
                    .isInstanceOfSatisfying(NonFiniteStepException.class, e -> {
                        assertThat(e.step()).isEqualTo(12);
                        assertThat(e.kind()).isEqualTo(NonFiniteStepException.Kind.GRADIENT);
                        assertThat(e.source()).isEqualTo("dino_head");
                        assertThat(e.getMessage()).contains("step 12").contains("dino_head");
                    });
        }
        // the finite, over-limit backbone was not clipped: the step is refused as a whole
        assertThat(a.grad().toFloatArray()).containsExactly(30f, 40f);
    }

    @Test
    void zeroLimitChecksButDoesNotClip() throws NonFiniteStepException {
        Parameter a = param("blocks.0.w", 30, 40);
        Parameter b = param("norm.weight", 0);
        Parameter head = param("mlp.0.weight", 1);
        try (GradientClipping clipping = new GradientClipping(backend, arena, modules(a, b, head))) {
            assertThat(clipping.clip(0, 0.0).get("backbone")).isCloseTo(50.0, within(TOL));
        }
        assertThat(a.grad().toFloatArray()).containsExactly(30f, 40f);
    }
}
