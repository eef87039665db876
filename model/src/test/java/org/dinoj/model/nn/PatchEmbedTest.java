package org.dinoj.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dinoj.model.nn.NnTesting.assertGradient;
import static org.dinoj.model.nn.NnTesting.dot;
import static org.dinoj.model.nn.NnTesting.random;

import java.util.function.DoubleSupplier;
import org.assertj.core.data.Offset;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.Test;

class PatchEmbedTest {
    private static final int B = 2;
    private static final int C = 3;
    private static final int P = 2;
    private static final int HEIGHT = 4;
    private static final int WIDTH = 6;
    private static final int D = 5;

    @Test
    void forwardEqualsAStridedConvolution() {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            LayerContext context = NnTesting.f64(backend, arena);
            PatchEmbed embed = new PatchEmbed(context, "patch_embed", C, P, D);
            Tensor weight = embed.parameters().get(0).value();
            Tensor bias = embed.parameters().get(1).value();
            assertThat(weight.shape()).containsExactly(D, C, P, P);
            NnTesting.fillRandom(weight, 1, 1);
            NnTesting.fillRandom(bias, 2, 1);
            Tensor images = random(arena, 3, 1, B, C, HEIGHT, WIDTH);
            PatchEmbed.Buffers buffers = embed.newBuffers(context, B, HEIGHT, WIDTH);
            int gh = HEIGHT / P;
            int gw = WIDTH / P;
            Tensor out = arena.allocate(DType.F64, (long) B * gh * gw, D);
            embed.forward(buffers, images, out);
            for (int b = 0; b < B; b++) {
                for (int gy = 0; gy < gh; gy++) {
                    for (int gx = 0; gx < gw; gx++) {
                        for (int d = 0; d < D; d++) {
                            // torch Conv2d(C, D, kernel P, stride P), flattened row-major over the grid
                            double expected = bias.get(d);
                            for (int c = 0; c < C; c++) {
                                for (int i = 0; i < P; i++) {
                                    for (int j = 0; j < P; j++) {
                                        expected += weight.get(d, c, i, j) * images.get(b, c, gy * P + i, gx * P + j);
                                    }
                                }
                            }
                            long row = (long) b * gh * gw + (long) gy * gw + gx;
                            assertThat(out.get(row, d)).isCloseTo(expected, Offset.offset(1e-12));
                        }
                    }
                }
            }
        }
    }

    @Test
    void weightGradientsMatchFiniteDifferences() {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            LayerContext context = NnTesting.f64(backend, arena);
            PatchEmbed embed = new PatchEmbed(context, "patch_embed", C, P, D);
            NnTesting.fillRandom(embed.parameters().get(0).value(), 1, 1);
            Tensor images = random(arena, 3, 1, B, C, HEIGHT, WIDTH);
            PatchEmbed.Buffers buffers = embed.newBuffers(context, B, HEIGHT, WIDTH);
            long rows = (long) B * (HEIGHT / P) * (WIDTH / P);
            Tensor out = arena.allocate(DType.F64, rows, D);
            Tensor w = random(arena, 4, 1, rows, D);
            embed.forward(buffers, images, out);
            embed.backward(buffers, w);
            DoubleSupplier loss = () -> {
                embed.forward(buffers, images, out);
                return dot(out, w);
            };
            for (Parameter p : embed.parameters()) {
                assertGradient(p.name(), p.value(), p.grad(), loss);
            }
        }
    }

    @Test
    void rejectsImagesNotDivisibleByThePatch() {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            PatchEmbed embed = new PatchEmbed(NnTesting.f64(backend, arena), "patch_embed", 3, 14, 8);
            assertThatThrownBy(() -> embed.newBuffers(NnTesting.f64(backend, arena), 1, 96, 96))
                    .hasMessageContaining("not a multiple of the patch size 14");
        }
    }
}
