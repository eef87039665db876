package org.dinoj.model.ssl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.nn.Parameter;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TeacherEmaTest {
    private final Backend backend = SslTestSupport.referenceBackend();
    private final HostArena arena = new HostArena();

    @AfterEach
    void close() {
        arena.close();
        backend.close();
    }

    private Parameter param(String name, float... values) {
        return new Parameter(name, arena.f32(values.length).copyFrom(values), arena.f32(values.length));
    }

    @Test
    void teacherMovesTowardsTheStudentByOneMinusMomentum() {
        Parameter tw = param("blocks.0.attn.qkv.weight", 1, 2, 3);
        Parameter tb = param("head.bias", 10);
        Parameter sw = param("blocks.0.attn.qkv.weight", 3, 2, -1);
        Parameter sb = param("head.bias", 0);
        // student given in another order: pairs are made by name
        TeacherEma ema = new TeacherEma(backend, arena, List.of(tw, tb), List.of(sb, sw));
        ema.update(0.75);
        // f32 storage: 1e-6 relative
        assertThat(tw.value().get(0)).isCloseTo(0.75 * 1 + 0.25 * 3, within(1e-6));
        assertThat(tw.value().get(1)).isCloseTo(2.0, within(1e-6));
        assertThat(tw.value().get(2)).isCloseTo(0.75 * 3 - 0.25, within(1e-6));
        assertThat(tb.value().get(0)).isCloseTo(7.5, within(1e-6));
        assertThat(sw.value().get(0)).isEqualTo(3.0);
    }

    @Test
    void momentumOneLeavesTheTeacherBitForBitUnchanged() {
        Parameter t = param("w", 0.1f, 1e-7f, 12345.678f);
        Parameter s = param("w", 5, -3, 9);
        new TeacherEma(backend, arena, List.of(t), List.of(s)).update(1.0);
        assertThat(t.value().toFloatArray()).containsExactly(0.1f, 1e-7f, 12345.678f);
    }

    @Test
    void mismatchedNamesAreRejected() {
        assertThatThrownBy(() -> new TeacherEma(backend, arena, List.of(param("a", 1)), List.of(param("b", 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("teacher parameter a has no student parameter");
    }
}
