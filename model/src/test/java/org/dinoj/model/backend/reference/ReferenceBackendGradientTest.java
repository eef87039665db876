package org.dinoj.model.backend.reference;

import org.dinoj.model.backend.Activation;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.Reduction;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.testing.FiniteDifference;
import org.dinoj.model.testing.RandomTensors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every backward of the reference backend against central differences of its own forward, in F64
 * end to end. Tolerances are FiniteDifference's default (relative 1e-6 plus 100x the estimated
 * rounding noise of the loss), see its class comment. Shapes are small and odd (3, 7) because each
 * input element costs two forward passes.
 */
class ReferenceBackendGradientTest {
    private final HostArena arena = new HostArena();
    private final ReferenceBackend backend = new ReferenceBackend(Precision.F32);
    private final RandomTensors random = new RandomTensors(7);

    @AfterEach
    void closeArena() {
        arena.close();
    }

    private Tensor normal(long... shape) {
        return random.normal(arena, DType.F64, shape);
    }

    private Tensor zeros(long... shape) {
        return arena.allocate(DType.F64, shape);
    }

    @Test
    void layerNormBackwardGivesDxDgammaDbeta() {
        // x [2, 3, 7] with a mean offset so centring matters; eps large enough to matter too.
        Tensor x = random.normal(zeros(2, 3, 7), 0.5, 2);
        Tensor gamma = random.normal(zeros(7), 1, 0.5);
        Tensor beta = normal(7);
        Tensor y = zeros(2, 3, 7);
        Tensor mean = zeros(6);
        Tensor variance = zeros(6);
        Tensor dx = zeros(2, 3, 7);
        Tensor dgamma = zeros(7);
        Tensor dbeta = zeros(7);
        float eps = 1e-2f;
        FiniteDifference.of(() -> backend.layerNormForward(x, gamma, beta, eps, y, mean, variance))
                .input("x", x, dx)
                .input("gamma", gamma, dgamma)
                .input("beta", beta, dbeta)
                .output(y)
                .backward(dy -> backend.layerNormBackward(x, gamma, mean, variance, eps, dy[0], dx, dgamma, dbeta))
                .check();
    }

    @ParameterizedTest(name = "log = {0}")
    @ValueSource(booleans = {false, true})
    void softmaxBackwardFromOutput(boolean log) {
        Tensor x = random.normal(zeros(3, 7), 0, 2);
        Tensor y = zeros(3, 7);
        Tensor dx = zeros(3, 7);
        FiniteDifference.of(() -> backend.softmaxForward(x, y, log))
                .input("x", x, dx)
                .output(y)
                .backward(dy -> backend.softmaxBackward(y, dy[0], dx, log))
                .check();
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void activationBackwardFromInput(Activation activation) {
        // Magnitudes in [0.1, 4): away from RELU's kink at 0, which a step of 1e-5 must not straddle,
        // and wide enough to reach GELU's and SiLU's curved regions on both sides.
        Tensor x = random.uniformAwayFromZero(zeros(3, 7), 0.1, 4);
        Tensor y = zeros(3, 7);
        Tensor dx = zeros(3, 7);
        FiniteDifference.of(() -> backend.activationForward(activation, x, y))
                .input("x", x, dx)
                .output(y)
                .backward(dy -> backend.activationBackward(activation, x, dy[0], dx))
                .check();
    }

    @Test
    void matmulGradientsThroughTransposedViews() {
        // C = alpha * A @ B + bias + beta * C0, A [7, 3], B [3, 5]:
        // dA = alpha * dC @ B^T, dB = alpha * A^T @ dC, dbias = sum over rows of dC, dC0 = beta * dC.
        // B^T and A^T are transposed (strided) views, so this also checks strided operands.
        float alpha = 0.75f;
        float beta = -0.5f;
        Tensor a = normal(7, 3);
        Tensor b = normal(3, 5);
        Tensor bias = normal(5);
        Tensor c0 = normal(7, 5);
        Tensor c = zeros(7, 5);
        Tensor da = zeros(7, 3);
        Tensor db = zeros(3, 5);
        Tensor dbias = zeros(5);
        Tensor dc0 = zeros(7, 5);
        FiniteDifference.of(() -> {
                    backend.copy(c0, c);
                    backend.matmul(a, b, bias, c, alpha, beta);
                })
                .input("a", a, da)
                .input("b", b, db)
                .input("bias", bias, dbias)
                .input("c0", c0, dc0)
                .output(c)
                .backward(dc -> {
                    backend.matmul(dc[0], b.transpose(0, 1), null, da, alpha, 0f);
                    backend.matmul(a.transpose(0, 1), dc[0], null, db, alpha, 0f);
                    backend.reduce(Reduction.SUM, dc[0], dbias.view(1, 5));
                    backend.linear(dc[0], beta, 0f, dc0);
                })
                .check();
    }

    @Test
    void batchedMatmulGradientsWithBroadcastOperand() {
        // A [3, 7, 4] @ B [1, 4, 5] (B shared by the batch): dA = dC @ B^T per batch,
        // dB = sum over the batch of A^T @ dC, computed as a batched matmul then a SUM over axis 0.
        Tensor a = normal(3, 7, 4);
        Tensor b = normal(1, 4, 5);
        Tensor c = zeros(3, 7, 5);
        Tensor da = zeros(3, 7, 4);
        Tensor db = zeros(1, 4, 5);
        Tensor dbPerBatch = zeros(3, 4, 5);
        FiniteDifference.of(() -> backend.matmul(a, b, c))
                .input("a", a, da)
                .input("b", b, db)
                .output(c)
                .backward(dc -> {
                    backend.matmul(dc[0], b.transpose(1, 2), da);
                    backend.matmul(a.transpose(1, 2), dc[0], dbPerBatch);
                    backend.reduce(Reduction.SUM, dbPerBatch, db);
                })
                .check();
    }
}
