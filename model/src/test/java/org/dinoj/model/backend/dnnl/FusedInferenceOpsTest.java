package org.dinoj.model.backend.dnnl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.dinoj.model.backend.Activation;
import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fused inference ops of the dnnl backend (matmul with an activation post-op, multiply with a
 * sum post-op) against the same backend's unfused ops. Tolerance 1e-6: the fused kernels compute
 * the same f32 expressions; only an fma in place of a multiply then an add may change the last bit.
 */
class FusedInferenceOpsTest {
    private static final double TOL = 1e-6;

    private final Random random = new Random(7);
    private DnnlBackend backend;
    private HostArena arena;

    @BeforeEach
    void open() {
        backend = new DnnlBackend(Precision.F32);
        arena = new HostArena();
    }

    @AfterEach
    void close() {
        arena.close();
        backend.close();
    }

    private Tensor rand(long... shape) {
        Tensor t = arena.f32(shape);
        for (long i = 0; i < t.numel(); i++) {
            t.setFlat(i, random.nextDouble() * 2 - 1);
        }
        return t;
    }

    @Test
    void matmulActivationEqualsMatmulThenActivation() {
        for (Activation activation : Activation.values()) {
            Tensor a = rand(37, 24);
            Tensor w = rand(40, 24); // [out, in] as a Linear weight, used transposed
            Tensor bias = rand(40);
            Tensor fused = arena.f32(37, 40);
            Tensor unfused = arena.f32(37, 40);
            backend.matmulActivation(a, w.transpose(0, 1), bias, activation, fused);
            backend.matmul(a, w.transpose(0, 1), bias, unfused, 1f, 0f);
            backend.activationForward(activation, unfused, unfused);
            assertClose(fused, unfused, activation.toString());
        }
    }

    @Test
    void addScaledAddsTheScaledRowsToOut() {
        Tensor x = rand(50, 24);
        Tensor scale = rand(1, 24);
        Tensor out = rand(50, 24);
        Tensor expected = arena.f32(50, 24);
        Tensor product = arena.f32(50, 24);
        backend.binary(BinaryOp.MUL, x, scale, product);
        backend.binary(BinaryOp.ADD, out, product, expected);
        backend.addScaled(x, scale, out);
        assertClose(out, expected, "addScaled");
    }

    @Test
    void addScaledRejectsAScaleOfTheWrongWidth() {
        assertThatThrownBy(() -> backend.addScaled(rand(4, 8), rand(1, 7), rand(4, 8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scale [1, D]");
    }

    private static void assertClose(Tensor actual, Tensor expected, String what) {
        double[] a = actual.toDoubleArray();
        double[] e = expected.toDoubleArray();
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - e[i]));
        }
        assertThat(worst).as(what + ": largest difference").isLessThanOrEqualTo(TOL);
    }
}
