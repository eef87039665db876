package org.dinoj.model.data;

import java.util.SplittableRandom;

/**
 * Turns one decoded image into a training sample (e.g. DINOv2's multi-crop views). All randomness
 * comes from {@code rng}, which the loader seeds per (seed, epoch, index) so results do not depend
 * on thread scheduling.
 */
@FunctionalInterface
public interface ImageTransform<T> {
    T apply(Image image, SplittableRandom rng);
}
