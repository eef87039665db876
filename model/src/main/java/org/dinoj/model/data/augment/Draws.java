package org.dinoj.model.data.augment;

import java.util.SplittableRandom;

/** Random draws with the semantics of the Python/torch calls the dinov2 code makes. */
final class Draws {
    private Draws() {}

    /** Python's {@code random.uniform(a, b)} / torch's {@code uniform_(a, b)}: {@code a + (b - a) * U[0, 1)}; b may be below a. */
    static double uniform(SplittableRandom rng, double a, double b) {
        return a + (b - a) * rng.nextDouble();
    }
}
