package org.dinoj.model.data.augment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MaskingGeneratorTest {

    @Test
    void dinov2MaxNumPatchesFollowsPythonsEvaluationOrder() {
        // 0.5 * 224 // 14 * 224 // 14 = ((112 // 14) * 224) // 14 = 128 = half of 16 x 16.
        MaskingGenerator g224 = MaskingGenerator.forDinov2(224, 14);
        assertThat(g224.height()).isEqualTo(16);
        assertThat(g224.width()).isEqualTo(16);
        assertThat(g224.maxNumPatches()).isEqualTo(128.0);
        // 0.5 * 28 // 4 * 28 // 4 = ((14 // 4) * 28) // 4 = (3 * 28) // 4 = 21, not 24.5.
        MaskingGenerator g28 = MaskingGenerator.forDinov2(28, 4);
        assertThat(g28.height()).isEqualTo(7);
        assertThat(g28.maxNumPatches()).isEqualTo(21.0);
    }

    @Test
    void oneBlockOnAnEmptyGridIsASolidRectangleWithinTheLimits() {
        MaskingGenerator generator = MaskingGenerator.forDinov2(224, 14);
        SplittableRandom rng = new SplittableRandom(31);
        int side = 16;
        // Aspect in [0.3, 1/0.3] and area <= maxPatches bound each side by round(sqrt(max / 0.3)).
        for (double maxPatches : new double[] {4, 10, 40, 128}) {
            int sideBound = (int) Math.rint(Math.sqrt(maxPatches / 0.3));
            for (int trial = 0; trial < 500; trial++) {
                boolean[] mask = new boolean[side * side];
                int delta = generator.placeBlock(mask, 0, maxPatches, rng);
                int top = side, bottom = -1, left = side, right = -1, count = 0;
                for (int i = 0; i < side; i++) {
                    for (int j = 0; j < side; j++) {
                        if (mask[i * side + j]) {
                            top = Math.min(top, i);
                            bottom = Math.max(bottom, i);
                            left = Math.min(left, j);
                            right = Math.max(right, j);
                            count++;
                        }
                    }
                }
                assertThat(count).isEqualTo(delta);
                if (delta == 0) {
                    continue;
                }
                int h = bottom - top + 1;
                int w = right - left + 1;
                assertThat(h * w).as("solid rectangle").isEqualTo(count);
                assertThat((double) count).isLessThanOrEqualTo(maxPatches);
                assertThat(h).isLessThan(side).isLessThanOrEqualTo(sideBound);
                assertThat(w).isLessThan(side).isLessThanOrEqualTo(sideBound);
            }
        }
    }

    @Test
    void masksNeverExceedTheirTargetAndUsuallyReachIt() {
        MaskingGenerator generator = MaskingGenerator.forDinov2(224, 14);
        SplittableRandom rng = new SplittableRandom(32);
        boolean[] mask = new boolean[256];
        long requested = 0;
        long obtained = 0;
        for (int trial = 0; trial < 2000; trial++) {
            int target = 25 + rng.nextInt(104); // int(256 * [0.1, 0.5])
            int count = generator.generate(target, mask, 0, rng);
            int set = 0;
            for (boolean b : mask) {
                set += b ? 1 : 0;
            }
            assertThat(set).isEqualTo(count);
            assertThat(count).isLessThanOrEqualTo(target).isPositive();
            requested += target;
            obtained += count;
        }
        // The loop stops early only when 10 rectangles in a row do not fit; on average it gets close.
        assertThat((double) obtained / requested).isGreaterThan(0.9);
    }

    @Test
    void zeroTargetGivesAnEmptyMaskAndClearsOldContent() {
        MaskingGenerator generator = MaskingGenerator.forDinov2(32, 4);
        boolean[] mask = new boolean[3 * 64];
        java.util.Arrays.fill(mask, true);
        assertThat(generator.generate(0, mask, 64, new SplittableRandom(1))).isZero();
        for (int i = 0; i < mask.length; i++) {
            assertThat(mask[i]).isEqualTo(i < 64 || i >= 128);
        }
    }

    @Test
    void sameSeedSameMask() {
        MaskingGenerator generator = MaskingGenerator.forDinov2(224, 14);
        boolean[] a = new boolean[256];
        boolean[] b = new boolean[256];
        boolean[] c = new boolean[256];
        generator.generate(80, a, 0, new SplittableRandom(5));
        generator.generate(80, b, 0, new SplittableRandom(5));
        generator.generate(80, c, 0, new SplittableRandom(6));
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
    }
}
