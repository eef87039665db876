package org.dinoj.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dinoj.model.nn.NnTesting.assertGradient;
import static org.dinoj.model.nn.NnTesting.dot;
import static org.dinoj.model.nn.NnTesting.random;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.assertj.core.data.Offset;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.reference.ReferenceBackend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AttentionTest {
    private static final int B = 2;
    private static final int N = 5;
    private static final int D = 8;
    private static final int H = 2;

    /** Composed (matmul, softmax, matmul) and fused (Backend#attentionForward) paths of the layer. */
    private static Backend backend(boolean fused) {
        return new ReferenceBackend(Precision.F32, fused);
    }

    @ParameterizedTest(name = "fused {0}")
    @ValueSource(booleans = {false, true})
    void forwardMatchesADirectLoop(boolean fused) {
        try (Backend backend = backend(fused); HostArena arena = new HostArena()) {
            LayerContext context = NnTesting.f64(backend, arena);
            Attention attn = new Attention(context, "attn", D, H, true, true);
            randomize(attn);
            Tensor x = random(arena, 10, 1, B * N, D);
            Tensor y = arena.allocate(DType.F64, B * N, D);
            Attention.Buffers buffers = attn.newBuffers(context, B, N, null);
            attn.forward(buffers, x, y);
            double[] expected = directAttention(attn, x);
            double[] actual = y.toDoubleArray();
            for (int i = 0; i < expected.length; i++) {
                // same double arithmetic in another order
                assertThat(actual[i]).isCloseTo(expected[i], Offset.offset(1e-12));
            }
            if (fused) {
                assertThatThrownBy(buffers::probabilities).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("DINOJ_CUDA_ATTENTION=composed");
                return;
            }
            Tensor p = buffers.probabilities();
            for (int row = 0; row < B * H * N; row++) {
                double sum = 0;
                for (int j = 0; j < N; j++) {
                    sum += p.getFlat((long) row * N + j);
                }
                assertThat(sum).isCloseTo(1.0, Offset.offset(1e-12));
            }
        }
    }

    @ParameterizedTest(name = "fused {0}")
    @ValueSource(booleans = {false, true})
    void backwardMatchesFiniteDifferences(boolean fused) {
        try (Backend backend = backend(fused); HostArena arena = new HostArena()) {
            LayerContext context = NnTesting.f64(backend, arena);
            Attention attn = new Attention(context, "attn", D, H, true, true);
            randomize(attn);
            Tensor x = random(arena, 10, 1, B * N, D);
            Tensor w = random(arena, 11, 1, B * N, D);
            Tensor y = arena.allocate(DType.F64, B * N, D);
            Tensor dx = arena.allocate(DType.F64, B * N, D);
            Attention.Buffers buffers = attn.newBuffers(context, B, N, attn.newScratch(context, B, N));
            attn.forward(buffers, x, y);
            attn.backward(buffers, x, w, dx);
            DoubleSupplier loss = () -> {
                attn.forward(buffers, x, y);
                return dot(y, w);
            };
            assertGradient("x", x, dx, loss);
            for (Parameter p : attn.parameters()) {
                assertGradient(p.name(), p.value(), p.grad(), loss);
            }
        }
    }

    /** Weights large enough that the softmax is far from uniform. */
    private static void randomize(Attention attn) {
        long seed = 20;
        for (Parameter p : attn.parameters()) {
            NnTesting.fillRandom(p.value(), seed++, 0.5);
        }
    }

    /** qkv, per-head softmax(q k^T / sqrt(hd)) v and proj written out with plain loops. */
    private static double[] directAttention(Attention attn, Tensor x) {
        Tensor wqkv = Parameters.named(attn.parameters(), "attn.qkv.weight").value();
        Tensor bqkv = Parameters.named(attn.parameters(), "attn.qkv.bias").value();
        Tensor wp = Parameters.named(attn.parameters(), "attn.proj.weight").value();
        Tensor bp = Parameters.named(attn.parameters(), "attn.proj.bias").value();
        int hd = D / H;
        double[][][] qkv = new double[B][N][3 * D];
        for (int b = 0; b < B; b++) {
            for (int n = 0; n < N; n++) {
                for (int o = 0; o < 3 * D; o++) {
                    double s = bqkv.get(o);
                    for (int i = 0; i < D; i++) {
                        s += x.get(b * N + n, i) * wqkv.get(o, i);
                    }
                    qkv[b][n][o] = s;
                }
            }
        }
        double[][][] ctx = new double[B][N][D];
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < H; h++) {
                for (int i = 0; i < N; i++) {
                    double[] scores = new double[N];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < N; j++) {
                        double s = 0;
                        for (int d = 0; d < hd; d++) {
                            s += qkv[b][i][h * hd + d] * qkv[b][j][D + h * hd + d];
                        }
                        scores[j] = s / Math.sqrt(hd);
                        max = Math.max(max, scores[j]);
                    }
                    double z = 0;
                    for (int j = 0; j < N; j++) {
                        scores[j] = Math.exp(scores[j] - max);
                        z += scores[j];
                    }
                    for (int d = 0; d < hd; d++) {
                        double s = 0;
                        for (int j = 0; j < N; j++) {
                            s += scores[j] / z * qkv[b][j][2 * D + h * hd + d];
                        }
                        ctx[b][i][h * hd + d] = s;
                    }
                }
            }
        }
        double[] out = new double[B * N * D];
        for (int b = 0; b < B; b++) {
            for (int n = 0; n < N; n++) {
                for (int o = 0; o < D; o++) {
                    double s = bp.get(o);
                    for (int i = 0; i < D; i++) {
                        s += ctx[b][n][i] * wp.get(o, i);
                    }
                    out[(b * N + n) * D + o] = s;
                }
            }
        }
        return out;
    }
}
