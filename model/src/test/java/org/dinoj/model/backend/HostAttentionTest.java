package org.dinoj.model.backend;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.dinoj.model.backend.reference.ReferenceBackend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.testing.FiniteDifference;
import org.dinoj.model.testing.RandomTensors;
import org.dinoj.model.testing.TensorAssertions;
import org.dinoj.model.testing.Tolerance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fused attention's specification ({@link HostAttention}, the default of every backend) against
 * the composed matmul, softmax, matmul path of the reference backend, and its backward against
 * central differences of its forward; all in F64, so agreement is to ~1e-12.
 */
class HostAttentionTest {
    private final HostArena arena = new HostArena();
    private final ReferenceBackend backend = new ReferenceBackend(Precision.F32);
    private final RandomTensors random = new RandomTensors(11);

    @AfterEach
    void closeArena() {
        arena.close();
    }

    private Tensor zeros(long... shape) {
        return arena.allocate(DType.F64, shape);
    }

    /** Part s (0 q, 1 k, 2 v) of qkv [B, N, 3D] as [B, H, N, hd]. */
    private static Tensor part(Tensor qkv, int s, int heads) {
        long b = qkv.size(0);
        long n = qkv.size(1);
        long dim = qkv.size(2) / 3;
        long hd = dim / heads;
        return new Tensor(qkv.data().asSlice(s * dim * qkv.dtype().byteSize()), qkv.dtype(), qkv.device(),
                new long[] {b, heads, n, hd}, new long[] {qkv.stride(0), hd, qkv.stride(1), 1});
    }

    /** A [B, N, D] tensor as [B, H, N, hd]. */
    private static Tensor heads(Tensor t, int heads) {
        long hd = t.size(2) / heads;
        return new Tensor(t.data(), t.dtype(), t.device(), new long[] {t.size(0), heads, t.size(1), hd},
                new long[] {t.stride(0), hd, t.stride(1), 1});
    }

    @Test
    void forwardEqualsMatmulSoftmaxMatmul() {
        int batch = 2;
        int tokens = 7;
        int heads = 3;
        int hd = 5;
        long dim = (long) heads * hd;
        float scale = (float) (1 / Math.sqrt(hd));
        Tensor qkv = random.normal(zeros(batch, tokens, 3 * dim), 0, 1.5);
        Tensor out = zeros(batch, tokens, dim);
        Tensor lse = zeros(batch, heads, tokens);
        backend.attentionForward(qkv, heads, scale, out, lse);

        Tensor scores = zeros(batch, heads, tokens, tokens);
        backend.matmul(part(qkv, 0, heads), part(qkv, 1, heads).transpose(2, 3), null, scores, scale, 0f);
        Tensor expectedLse = zeros(batch, heads, tokens, 1);
        Tensor probabilities = zeros(batch, heads, tokens, tokens);
        backend.softmaxForward(scores, probabilities, false);
        Tensor expected = zeros(batch, tokens, dim);
        backend.matmul(probabilities, part(qkv, 2, heads), heads(expected, heads));
        // Double end to end: the two orders of summation agree to a few ulps of the magnitudes.
        TensorAssertions.assertClose("fused vs composed out", out, expected, new Tolerance(1e-13, 1e-12));

        Tensor logSoftmax = zeros(batch, heads, tokens, tokens);
        backend.softmaxForward(scores, logSoftmax, true);
        // lse_i = S_ij - log P_ij for any j; j = 0.
        for (long b = 0; b < batch; b++) {
            for (long h = 0; h < heads; h++) {
                for (long i = 0; i < tokens; i++) {
                    expectedLse.set(scores.get(b, h, i, 0) - logSoftmax.get(b, h, i, 0), b, h, i, 0);
                }
            }
        }
        TensorAssertions.assertClose("lse", lse, expectedLse.view(batch, heads, tokens), new Tolerance(1e-13, 1e-12));
    }

    @Test
    void backwardMatchesCentralDifferences() {
        int batch = 2;
        int tokens = 5;
        int heads = 2;
        int hd = 3;
        long dim = (long) heads * hd;
        float scale = (float) (1 / Math.sqrt(hd));
        Tensor qkv = random.normal(zeros(batch, tokens, 3 * dim), 0, 1);
        Tensor out = zeros(batch, tokens, dim);
        Tensor lse = zeros(batch, heads, tokens);
        Tensor dQkv = zeros(batch, tokens, 3 * dim);
        FiniteDifference.of(() -> backend.attentionForward(qkv, heads, scale, out, lse))
                .input("qkv", qkv, dQkv)
                .output(out)
                .backward(dy -> backend.attentionBackward(qkv, out, lse, dy[0], heads, scale, dQkv))
                .check();
    }

    @Test
    void rejectsAHeadCountThatDoesNotDivideTheWidth() {
        Tensor qkv = zeros(1, 3, 12);
        assertThatThrownBy(() -> backend.attentionForward(qkv, 3, 1f, zeros(1, 3, 4), zeros(1, 3, 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3 heads do not divide the width 4");
    }
}
