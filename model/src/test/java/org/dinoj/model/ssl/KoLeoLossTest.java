package org.dinoj.model.ssl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Device;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KoLeoLossTest {
    private final Backend backend = SslTestSupport.referenceBackend();
    private final HostArena arena = new HostArena();

    @AfterEach
    void close() {
        arena.close();
        backend.close();
    }

    @Test
    void threePointsOnTheUnitCircleGiveHandComputedDistances() {
        // angles 0, 60 and 150 degrees (rows scaled by 2, 0.5 and 3: normalisation removes the scale).
        // chords: 0-60: 2 sin 30 = 1; 60-150: 2 sin 45 = sqrt 2; 0-150: 2 sin 75 = 1.93.
        // nearest: 0 -> 60 (1), 60 -> 0 (1), 150 -> 60 (sqrt 2), so KoLeo = -(0 + 0 + ln sqrt 2) / 3.
        double[][] x = {
            {2, 0},
            {0.5 * Math.cos(Math.PI / 3), 0.5 * Math.sin(Math.PI / 3)},
            {3 * Math.cos(5 * Math.PI / 6), 3 * Math.sin(5 * Math.PI / 6)}};
        try (KoLeoLoss koleo = new KoLeoLoss(backend, 3, 2, DType.F64, Device.CPU)) {
            double value = koleo.forwardBackward(SslTestSupport.tensor(arena, DType.F64, x), 1.0,
                    arena.allocate(DType.F64, 3, 2));
            // the eps terms (1e-8 inside the distance and the log) move the value by ~1e-8
            assertThat(value).isCloseTo(-Math.log(Math.sqrt(2)) / 3, within(1e-7));
        }
    }

    @Test
    void threePointsOnALineNormaliseOntoTheCircle() {
        // (1, 0), (1, 1), (1, -1) on the line x = 1 normalise to angles 0, 45 and -45 degrees.
        // Row 0 has two nearest neighbours at 45 degrees (torch.max takes the first); rows 1 and 2
        // are nearest to row 0. Every distance is the 45-degree chord 2 sin(pi / 8).
        double[][] x = {{1, 0}, {1, 1}, {1, -1}};
        try (KoLeoLoss koleo = new KoLeoLoss(backend, 3, 2, DType.F64, Device.CPU)) {
            double value = koleo.forwardBackward(SslTestSupport.tensor(arena, DType.F64, x), 1.0,
                    arena.allocate(DType.F64, 3, 2));
            assertThat(value).isCloseTo(-Math.log(2 * Math.sin(Math.PI / 8)), within(1e-7));
        }
    }

    @Test
    void duplicatePointsGiveTheLargeButFiniteEpsDistance() {
        // two identical rows: d = ||eps * 1|| = 1e-8 * sqrt(D), loss = -log(d + eps)
        double[][] x = {{1, 1, 0}, {1, 1, 0}};
        try (KoLeoLoss koleo = new KoLeoLoss(backend, 2, 3, DType.F64, Device.CPU)) {
            double value = koleo.forwardBackward(SslTestSupport.tensor(arena, DType.F64, x), 1.0,
                    arena.allocate(DType.F64, 2, 3));
            double d = 1e-8 * Math.sqrt(3);
            assertThat(value).isCloseTo(-Math.log(d + 1e-8), within(1e-6));
        }
    }

    @Test
    void gradientMatchesCentralFiniteDifferences() {
        Random rng = new Random(12);
        Tensor x = SslTestSupport.tensor(arena, DType.F64, SslTestSupport.randomMatrix(rng, 5, 3, 1.0));
        Tensor grad = arena.allocate(DType.F64, 5, 3);
        Tensor scratch = arena.allocate(DType.F64, 5, 3);
        try (KoLeoLoss koleo = new KoLeoLoss(backend, 5, 3, DType.F64, Device.CPU)) {
            koleo.forwardBackward(x, 0.1, grad);
            // random points keep their nearest neighbours under a 1e-6 perturbation
            SslTestSupport.assertGradientMatches(x, grad, () -> 0.1 * koleo.forwardBackward(x, 0.1, scratch));
        }
    }

    @Test
    void globalCropTermSumsTheTwoCropsSeparatelyAndNeverPairsAcrossCrops() {
        // crop 1 repeats crop 0 row for row: pairing across crops would find distance ~0 and a huge loss
        double[][] crop = {{1, 0}, {0, 1}, {-1, 0}};
        double[][] both = {crop[0], crop[1], crop[2], crop[0], crop[1], crop[2]};
        try (KoLeoLoss koleo = new KoLeoLoss(backend, 3, 2, DType.F64, Device.CPU)) {
            double term = koleo.forwardBackwardGlobalCrops(SslTestSupport.tensor(arena, DType.F64, both), 0.1,
                    arena.allocate(DType.F64, 6, 2));
            // within a crop every nearest neighbour is 90 degrees away: d = sqrt 2 for all rows
            double perCrop = -Math.log(Math.sqrt(2));
            assertThat(term).isCloseTo(0.1 * 2 * perCrop, within(1e-7));
        }
    }

    @Test
    void batchOfOneIsRejected() {
        assertThatThrownBy(() -> new KoLeoLoss(backend, 1, 4, DType.F32, Device.CPU))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 2 images");
    }
}
