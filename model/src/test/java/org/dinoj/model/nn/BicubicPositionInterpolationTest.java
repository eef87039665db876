package org.dinoj.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Offset;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.Test;

class BicubicPositionInterpolationTest {
    @Test
    void matchesTorchBicubicUpsamplingOfA2x2Grid() {
        // torch.nn.functional.interpolate(torch.tensor([[[[1., 2.], [3., 4.]]]]), size=(4, 4),
        // mode="bicubic", align_corners=False), as printed by PyTorch (4 decimals)
        double[] torch = {
                0.6836, 1.0156, 1.5625, 1.8945,
                1.3477, 1.6797, 2.2266, 2.5586,
                2.4414, 2.7734, 3.3203, 3.6523,
                3.1055, 3.4375, 3.9844, 4.3164};
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            LayerContext context = NnTesting.f64(backend, arena);
            // offset 0: dinov2 passes the output size, as this torch call does
            BicubicPositionInterpolation resize = new BicubicPositionInterpolation(context, 2, 4, 4, 0.0);
            Tensor grid = arena.allocate(DType.F64, 4, 1).copyFrom(new double[] {1, 2, 3, 4});
            Tensor out = arena.allocate(DType.F64, 16, 1);
            resize.forward(grid, out);
            for (int i = 0; i < 16; i++) {
                // half a unit of the 4th printed decimal
                assertThat(out.getFlat(i)).as("element %d", i).isCloseTo(torch[i], Offset.offset(5.1e-5));
            }
        }
    }

    @Test
    void sameSizeWithoutOffsetIsTheIdentity() {
        double[] w = BicubicPositionInterpolation.weights1d(5, 5, 0.0);
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) {
                assertThat(w[i * 5 + j]).isCloseTo(i == j ? 1.0 : 0.0, Offset.offset(1e-15));
            }
        }
    }

    @Test
    void weightsOfEveryOutputSumToOneWithTheDinov2Offset() {
        for (int target : new int[] {2, 3, 7, 16, 37}) {
            double[] w = BicubicPositionInterpolation.weights1d(16, target, 0.1);
            for (int i = 0; i < target; i++) {
                double sum = 0;
                for (int j = 0; j < 16; j++) {
                    sum += w[i * 16 + j];
                }
                assertThat(sum).isCloseTo(1.0, Offset.offset(1e-12));
            }
        }
    }

    @Test
    void offsetChangesTheSamplingScaleNotTheSize() {
        // M = 4 -> G = 2: with offset 0.1 the scale is 4 / 2.1, so output 0 samples at 0.5*4/2.1 - 0.5
        double[] shifted = BicubicPositionInterpolation.weights1d(4, 2, 0.1);
        double[] plain = BicubicPositionInterpolation.weights1d(4, 2, 0.0);
        assertThat(shifted).hasSize(8).isNotEqualTo(plain);
        double center = 0;
        double plainCenter = 0;
        for (int j = 0; j < 4; j++) {
            center += shifted[j] * j;
            plainCenter += plain[j] * j;
        }
        // the weights' centre of mass is near the sampling position (cubic kernels reproduce
        // linear ramps away from the border; these taps touch the border, hence the tolerance)
        assertThat(plainCenter).isCloseTo(0.5, Offset.offset(0.1));
        assertThat(center).isCloseTo(0.5 * 4 / 2.1 - 0.5, Offset.offset(0.1));
    }

    @Test
    void backwardIsTheAdjointOfForward() {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            LayerContext context = NnTesting.f64(backend, arena);
            BicubicPositionInterpolation resize = new BicubicPositionInterpolation(context, 3, 2, 4, 0.1);
            Tensor grid = NnTesting.random(arena, 1, 1, 9, 3);
            Tensor dOut = NnTesting.random(arena, 2, 1, 8, 3);
            Tensor out = arena.allocate(DType.F64, 8, 3);
            Tensor dGrid = arena.allocate(DType.F64, 9, 3);
            resize.forward(grid, out);
            resize.backward(dOut, dGrid);
            // <K g, d> = <g, K^T d>
            assertThat(NnTesting.dot(out, dOut)).isCloseTo(NnTesting.dot(grid, dGrid), Offset.offset(1e-12));
        }
    }
}
