package org.dinoj.model.backend.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.dinoj.model.backend.Activation;
import org.dinoj.model.backend.AdamWStep;
import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.Reduction;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hand-computed cases for every reference op. The expected values are worked out in the comments
 * from the definitions, not produced by the code under test. F64 tensors make the reference exact
 * up to double rounding, hence the 1e-12 tolerances; F32 cases allow f32 rounding (2^-24 relative).
 */
class ReferenceBackendTest {
    private static final double TIGHT = 1e-12;

    private final HostArena arena = new HostArena();
    private final ReferenceBackend backend = new ReferenceBackend(Precision.F32);

    @AfterEach
    void closeArena() {
        arena.close();
    }

    private Tensor f64(long[] shape, double... values) {
        return arena.allocate(DType.F64, shape).copyFrom(values);
    }

    private static long[] shape(long... dims) {
        return dims;
    }

    @Test
    void matmulOfTwoByTwo() {
        // [[1,2],[3,4]] @ [[5,6],[7,8]] = [[1*5+2*7, 1*6+2*8], [3*5+4*7, 3*6+4*8]] = [[19,22],[43,50]]
        Tensor a = f64(shape(2, 2), 1, 2, 3, 4);
        Tensor b = f64(shape(2, 2), 5, 6, 7, 8);
        Tensor c = arena.allocate(DType.F64, 2, 2);
        backend.matmul(a, b, c);
        assertThat(c.toDoubleArray()).containsExactly(19, 22, 43, 50);
    }

    @Test
    void matmulWithBiasAlphaBetaAndTransposedOperand() {
        // a given as the transpose of [[1,3],[2,4]]; alpha 2, bias [1,-1], beta 0.5 on c = 2 everywhere:
        // 2 * [[19,22],[43,50]] + [1,-1] + 1 = [[40,44],[88,100]]
        Tensor aTransposed = f64(shape(2, 2), 1, 3, 2, 4).transpose(0, 1);
        Tensor b = f64(shape(2, 2), 5, 6, 7, 8);
        Tensor bias = f64(shape(2), 1, -1);
        Tensor c = f64(shape(2, 2), 2, 2, 2, 2);
        backend.matmul(aTransposed, b, bias, c, 2f, 0.5f);
        assertThat(c.toDoubleArray()).containsExactly(40, 44, 88, 100);
    }

    @Test
    void matmulBroadcastsBatchDimensions() {
        // a [2,1,2] holds the rows [1,0] and [0,1]; b [1,2,2] = [[5,6],[7,8]] is shared: c = [[5,6]], [[7,8]]
        Tensor a = f64(shape(2, 1, 2), 1, 0, 0, 1);
        Tensor b = f64(shape(1, 2, 2), 5, 6, 7, 8);
        Tensor c = arena.allocate(DType.F64, 2, 1, 2);
        backend.matmul(a, b, c);
        assertThat(c.toDoubleArray()).containsExactly(5, 6, 7, 8);
    }

    @Test
    void matmulWithBetaZeroIgnoresGarbageInC() {
        Tensor a = f64(shape(1, 1), 3);
        Tensor b = f64(shape(1, 1), 4);
        Tensor c = f64(shape(1, 1), Double.NaN);
        backend.matmul(a, b, null, c, 1f, 0f);
        assertThat(c.get(0, 0)).isEqualTo(12);
    }

    @Test
    void bf16PrecisionRoundsMatmulInputs() {
        // 1 + 2^-9 is an f32 but not a bf16 value; it rounds to 1 in bf16 (8 significant bits).
        Tensor a = arena.f32(1, 1).copyFrom(new float[] {1f + 0x1p-9f});
        Tensor b = arena.f32(1, 1).copyFrom(new float[] {1f});
        Tensor c = arena.f32(1, 1);
        backend.matmul(a, b, c);
        assertThat(c.get(0, 0)).isEqualTo(1 + 0x1p-9);
        new ReferenceBackend(Precision.BF16).matmul(a, b, c);
        assertThat(c.get(0, 0)).isEqualTo(1.0);
    }

    @Test
    void matmulRejectsMismatchedInnerDimensions() {
        Tensor a = arena.f32(2, 3);
        Tensor b = arena.f32(4, 2);
        Tensor c = arena.f32(2, 2);
        assertThatThrownBy(() -> backend.matmul(a, b, c))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a Tensor[2, 3]").hasMessageContaining("b Tensor[4, 2]");
    }

    @Test
    void layerNormOfOneTwoThree() {
        // x = [1,2,3]: mean 2, biased variance ((-1)^2 + 0 + 1^2) / 3 = 2/3, eps 0:
        // xhat = [-1, 0, 1] / sqrt(2/3) = [-sqrt(1.5), 0, sqrt(1.5)]; gamma [2,1,1], beta [0,1,0]
        // y = [-2 sqrt(1.5), 1, sqrt(1.5)]
        Tensor x = f64(shape(1, 3), 1, 2, 3);
        Tensor gamma = f64(shape(3), 2, 1, 1);
        Tensor beta = f64(shape(3), 0, 1, 0);
        Tensor y = arena.allocate(DType.F64, 1, 3);
        Tensor mean = arena.allocate(DType.F64, 1);
        Tensor variance = arena.allocate(DType.F64, 1);
        backend.layerNormForward(x, gamma, beta, 0f, y, mean, variance);
        double s = Math.sqrt(1.5);
        assertThat(y.toDoubleArray()).containsExactly(new double[] {-2 * s, 1, s}, within(TIGHT));
        assertThat(mean.get(0)).isCloseTo(2, within(TIGHT));
        assertThat(variance.get(0)).isCloseTo(2.0 / 3, within(TIGHT));
    }

    @Test
    void layerNormBackwardOfOneTwoThree() {
        // x = [1,2,3], gamma 1, eps 0: rstd = sqrt(1.5), xhat = [-sqrt(1.5), 0, sqrt(1.5)].
        // dy = [1,0,0]: g = dy, mean(g) = 1/3, mean(g * xhat) = -sqrt(1.5)/3, so
        // dx = rstd * (g - 1/3 + xhat * sqrt(1.5)/3) = sqrt(1.5) * ([1,0,0] - 1/3 + [-1/2, 0, 1/2])
        //    = sqrt(1.5) * [1/6, -1/3, 1/6]; dgamma = dy * xhat = [-sqrt(1.5), 0, 0]; dbeta = dy.
        Tensor x = f64(shape(1, 3), 1, 2, 3);
        Tensor gamma = f64(shape(3), 1, 1, 1);
        Tensor mean = f64(shape(1), 2);
        Tensor variance = f64(shape(1), 2.0 / 3);
        Tensor dy = f64(shape(1, 3), 1, 0, 0);
        Tensor dx = arena.allocate(DType.F64, 1, 3);
        Tensor dgamma = arena.allocate(DType.F64, 3);
        Tensor dbeta = arena.allocate(DType.F64, 3);
        backend.layerNormBackward(x, gamma, mean, variance, 0f, dy, dx, dgamma, dbeta);
        double s = Math.sqrt(1.5);
        assertThat(dx.toDoubleArray()).containsExactly(new double[] {s / 6, -s / 3, s / 6}, within(TIGHT));
        assertThat(dgamma.toDoubleArray()).containsExactly(new double[] {-s, 0, 0}, within(TIGHT));
        assertThat(dbeta.toDoubleArray()).containsExactly(1, 0, 0);
    }

    @Test
    void layerNormIsBlindToShiftsOfItsInput() {
        // A constant dy adds a shift to y's pre-image: normalisation removes it, so dx = 0.
        Tensor x = f64(shape(1, 3), 1, 2, 3);
        Tensor gamma = f64(shape(3), 1, 1, 1);
        Tensor dy = f64(shape(1, 3), 1, 1, 1);
        Tensor dx = arena.allocate(DType.F64, 1, 3);
        backend.layerNormBackward(x, gamma, f64(shape(1), 2), f64(shape(1), 2.0 / 3), 0f, dy, dx,
                arena.allocate(DType.F64, 3), arena.allocate(DType.F64, 3));
        assertThat(dx.toDoubleArray()).containsExactly(new double[] {0, 0, 0}, within(TIGHT));
    }

    @Test
    void softmaxOfZeroAndLnTwo() {
        // exp(0) : exp(ln 2) = 1 : 2, so softmax = [1/3, 2/3]; shifting by 1000 must not overflow.
        Tensor x = f64(shape(2, 2), 0, Math.log(2), 1000, 1000 + Math.log(2));
        Tensor y = arena.allocate(DType.F64, 2, 2);
        backend.softmaxForward(x, y, false);
        assertThat(y.toDoubleArray()).containsExactly(new double[] {1.0 / 3, 2.0 / 3, 1.0 / 3, 2.0 / 3}, within(TIGHT));
        backend.softmaxForward(x, x, true); // in place
        assertThat(x.toDoubleArray()).containsExactly(
                new double[] {Math.log(1.0 / 3), Math.log(2.0 / 3), Math.log(1.0 / 3), Math.log(2.0 / 3)}, within(1e-10));
    }

    @Test
    void softmaxBackwardFromItsOutput() {
        // y = [1/3, 2/3], dy = [1, 0]: sum(dy * y) = 1/3, dx = y * (dy - 1/3) = [2/9, -2/9].
        Tensor y = f64(shape(1, 2), 1.0 / 3, 2.0 / 3);
        Tensor dy = f64(shape(1, 2), 1, 0);
        Tensor dx = arena.allocate(DType.F64, 1, 2);
        backend.softmaxBackward(y, dy, dx, false);
        assertThat(dx.toDoubleArray()).containsExactly(new double[] {2.0 / 9, -2.0 / 9}, within(TIGHT));
        // log-softmax: y = log [1/3, 2/3], dx = dy - exp(y) * sum(dy) = [1 - 1/3, -2/3].
        Tensor logY = f64(shape(1, 2), Math.log(1.0 / 3), Math.log(2.0 / 3));
        backend.softmaxBackward(logY, dy, dx, true);
        assertThat(dx.toDoubleArray()).containsExactly(new double[] {2.0 / 3, -2.0 / 3}, within(TIGHT));
    }

    @Test
    void activationsAtHandPickedPoints() {
        // GELU(x) = x Phi(x): Phi(1) = 0.8413447460685429, Phi(-1) = 0.15865525393145707 (normal tables).
        // GELU'(x) = Phi(x) + x phi(x), phi(1) = exp(-1/2)/sqrt(2 pi) = 0.24197072451914337.
        assertActivation(Activation.GELU_ERF, new double[] {1, -1, 0},
                new double[] {0.8413447460685429, -0.15865525393145707, 0},
                new double[] {0.8413447460685429 + 0.24197072451914337, 0.15865525393145707 - 0.24197072451914337, 0.5});
        // SiLU(1) = sigmoid(1) = 1/(1+e^-1) = 0.7310585786300049; SiLU' = s (1 + x (1 - s)), 1/2 at 0.
        double s = 0.7310585786300049;
        assertActivation(Activation.SILU, new double[] {1, 0, -1},
                new double[] {s, 0, -(1 - s)},
                new double[] {s * (2 - s), 0.5, (1 - s) * (1 - s)});
        // RELU: derivative taken as 0 at 0, as PyTorch does.
        assertActivation(Activation.RELU, new double[] {3, -2, 0}, new double[] {3, 0, 0}, new double[] {1, 0, 0});
    }

    private void assertActivation(Activation activation, double[] x, double[] y, double[] derivative) {
        Tensor xt = f64(shape(x.length), x);
        Tensor yt = arena.allocate(DType.F64, x.length);
        backend.activationForward(activation, xt, yt);
        assertThat(yt.toDoubleArray()).as(activation + " forward").containsExactly(y, within(TIGHT));
        Tensor dy = f64(shape(x.length), 2, 2, 2);
        backend.activationBackward(activation, xt, dy, dy); // in place: dx == dy
        double[] expected = derivative.clone();
        for (int i = 0; i < expected.length; i++) {
            expected[i] *= 2;
        }
        assertThat(dy.toDoubleArray()).as(activation + " backward").containsExactly(expected, within(TIGHT));
    }

    @Test
    void binaryOpsBroadcastTheSecondOperand() {
        Tensor a = f64(shape(2, 3), 1, 2, 3, 4, 5, 6);
        Tensor column = f64(shape(2, 1), 10, 20);
        Tensor row = f64(shape(1, 3), 1, 2, 3);
        Tensor out = arena.allocate(DType.F64, 2, 3);
        backend.binary(BinaryOp.ADD, a, column, out);
        assertThat(out.toDoubleArray()).containsExactly(11, 12, 13, 24, 25, 26);
        backend.binary(BinaryOp.SUB, a, column, out);
        assertThat(out.toDoubleArray()).containsExactly(-9, -8, -7, -16, -15, -14);
        backend.binary(BinaryOp.MUL, a, row, out);
        assertThat(out.toDoubleArray()).containsExactly(1, 4, 9, 4, 10, 18);
        backend.binary(BinaryOp.DIV, a, row, out);
        assertThat(out.toDoubleArray()).containsExactly(1, 1, 1, 4, 2.5, 2);
        backend.binary(BinaryOp.MAX, a, f64(shape(1, 3), 3, 3, 3), out);
        assertThat(out.toDoubleArray()).containsExactly(3, 3, 3, 4, 5, 6);
        backend.binary(BinaryOp.MIN, a, f64(shape(1, 1), 3), out);
        assertThat(out.toDoubleArray()).containsExactly(1, 2, 3, 3, 3, 3);
        backend.binary(BinaryOp.MUL, a, a, a); // in place, b == a too
        assertThat(a.toDoubleArray()).containsExactly(1, 4, 9, 16, 25, 36);
        assertThatThrownBy(() -> backend.binary(BinaryOp.ADD, out, f64(shape(3, 1), 1, 2, 3), out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimension 0 of b");
    }

    @Test
    void linearScalesAndShifts() {
        Tensor x = f64(shape(3), -1, 0, 2);
        backend.linear(x, 2f, 1f, x);
        assertThat(x.toDoubleArray()).containsExactly(-1, 1, 5);
    }

    @Test
    void reductionsKeepReducedDimensions() {
        // x = [[1,2,3],[4,5,6]]
        Tensor x = f64(shape(2, 3), 1, 2, 3, 4, 5, 6);
        Tensor rows = arena.allocate(DType.F64, 2, 1);
        Tensor cols = arena.allocate(DType.F64, 1, 3);
        Tensor all = arena.allocate(DType.F64, 1, 1);
        backend.reduce(Reduction.SUM, x, rows);
        assertThat(rows.toDoubleArray()).containsExactly(6, 15);
        backend.reduce(Reduction.SUM, x, cols);
        assertThat(cols.toDoubleArray()).containsExactly(5, 7, 9);
        backend.reduce(Reduction.SUM, x, all);
        assertThat(all.toDoubleArray()).containsExactly(21);
        backend.reduce(Reduction.SUM_OF_SQUARES, x, all); // 1+4+9+16+25+36
        assertThat(all.toDoubleArray()).containsExactly(91);
        backend.reduce(Reduction.MEAN, x, rows);
        assertThat(rows.toDoubleArray()).containsExactly(2, 5);
        backend.reduce(Reduction.MAX, x, cols);
        assertThat(cols.toDoubleArray()).containsExactly(4, 5, 6);
        backend.reduce(Reduction.MAX, x.transpose(0, 1), arena.allocate(DType.F64, 3, 1));
        assertThatThrownBy(() -> backend.reduce(Reduction.SUM, x, arena.allocate(DType.F64, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rank");
    }

    @Test
    void reductionOverATransposedView() {
        // x^T = [[1,4],[2,5],[3,6]]: row maxima 4, 5, 6.
        Tensor x = f64(shape(2, 3), 1, 2, 3, 4, 5, 6);
        Tensor out = arena.allocate(DType.F64, 3, 1);
        backend.reduce(Reduction.MAX, x.transpose(0, 1), out);
        assertThat(out.toDoubleArray()).containsExactly(4, 5, 6);
    }

    @Test
    void copyMakesStridedDataContiguousAndConvertsDtypes() {
        Tensor x = arena.f32(2, 3).copyFrom(new float[] {1, 2, 3, 4, 5, 6});
        Tensor transposed = arena.f32(3, 2);
        backend.copy(x.transpose(0, 1), transposed);
        assertThat(transposed.toFloatArray()).containsExactly(1, 4, 2, 5, 3, 6);
        // f32 -> bf16 rounds to nearest even: 1 + 2^-8 is a tie and goes to 1, 1 + 3 * 2^-8 goes up to 1 + 2^-6.
        Tensor f = arena.f32(3).copyFrom(new float[] {1f + 0x1p-8f, 1f + 3 * 0x1p-8f, -2.5f});
        Tensor h = arena.allocate(DType.BF16, 3);
        backend.copy(f, h);
        Tensor back = arena.f32(3);
        backend.copy(h, back);
        assertThat(back.toFloatArray()).containsExactly(1f, 1f + 0x1p-6f, -2.5f);
    }

    @Test
    void fillSetsEveryElementOfAView() {
        Tensor x = arena.f32(2, 3);
        backend.fill(x.slice(1, 1, 2), 7f);
        assertThat(x.toFloatArray()).containsExactly(0, 7, 7, 0, 7, 7);
    }

    // AdamW hyperparameters are floats; 0.9f or 0.999f differ from 0.9 and 0.999 by up to 1e-5 relative
    // in 1 - beta, so the hand computations use dyadic values that floats hold exactly:
    // lr 1/8, beta1 3/4, beta2 15/16, eps 2^-20, weight decay 1/4. Results are stored as f32, so we
    // allow 2.5e-7 relative (a few f32 ulps of 2^-24).
    private static final AdamWStep STEP_ONE = new AdamWStep(0.125f, 0.75f, 0.9375f, 0x1p-20f, 0.25f, 1);
    private static final double F32_REL = 2.5e-7;

    @Test
    void adamwOneStepByHand() {
        // Element 0, p = 1, g = 1/2, m = v = 0, t = 1: decay p <- 1 * (1 - 1/8 * 1/4) = 0.96875;
        //   m = 1/4 * 1/2 = 1/8; v = 1/16 * 1/4 = 1/64; m^ = (1/8) / (1 - 3/4) = 1/2;
        //   v^ = (1/64) / (1 - 15/16) = 1/4, sqrt 1/2; p <- 0.96875 - 1/8 * (1/2) / (1/2 + 2^-20).
        // Element 1, p = -2, g = 0: only the decay acts, p = -2 * 0.96875 = -1.9375, m = v = 0.
        Tensor p = arena.f32(2).copyFrom(new float[] {1, -2});
        Tensor g = arena.f32(2).copyFrom(new float[] {0.5f, 0});
        Tensor m = arena.f32(2);
        Tensor v = arena.f32(2);
        backend.adamw(p, g, m, v, STEP_ONE);
        double expected = 0.96875 - 0.125 * 0.5 / (0.5 + 0x1p-20);
        assertThat(p.get(0)).isCloseTo(expected, within(F32_REL * expected));
        assertThat(p.get(1)).isEqualTo(-1.9375);
        assertThat(m.toDoubleArray()).containsExactly(0.125, 0);
        assertThat(v.toDoubleArray()).containsExactly(1.0 / 64, 0);
        assertThat(g.toDoubleArray()).as("grad is read only").containsExactly(0.5, 0);
    }

    @Test
    void adamwSecondStepUsesBiasCorrectionOfStepTwo() {
        // From m = 1/8, v = 1/64 with g = -1/2, t = 2: m = 3/4 * 1/8 - 1/4 * 1/2 = -1/32;
        // v = 15/16 * 1/64 + 1/16 * 1/4 = 0.0302734375; 1 - (3/4)^2 = 0.4375, 1 - (15/16)^2 = 0.12109375;
        // m^ = -(1/32) / 0.4375 = -1/14; v^ = 0.0302734375 / 0.12109375 = 1/4 exactly, sqrt 1/2;
        // p = p0 * 0.96875 + 1/8 * (1/14) / (1/2 + 2^-20).
        float p0 = 0.9f;
        Tensor p = arena.f32(1).copyFrom(new float[] {p0});
        Tensor g = arena.f32(1).copyFrom(new float[] {-0.5f});
        Tensor m = arena.f32(1).copyFrom(new float[] {0.125f});
        Tensor v = arena.f32(1).copyFrom(new float[] {1f / 64});
        backend.adamw(p, g, m, v, new AdamWStep(0.125f, 0.75f, 0.9375f, 0x1p-20f, 0.25f, 2));
        double expected = p0 * 0.96875 + 0.125 / 14 / (0.5 + 0x1p-20);
        assertThat(p.get(0)).isCloseTo(expected, within(F32_REL * expected));
        assertThat(m.get(0)).isEqualTo(-1.0 / 32);
        assertThat(v.get(0)).isEqualTo(0.0302734375);
    }

    @Test
    void refusesDeviceTensors() {
        Tensor onDevice = new Tensor(java.lang.foreign.MemorySegment.NULL, DType.F32,
                org.dinoj.model.tensor.Device.CUDA, new long[] {2}, new long[] {1});
        assertThatThrownBy(() -> backend.fill(onDevice, 1f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("copy it to the host");
    }
}
