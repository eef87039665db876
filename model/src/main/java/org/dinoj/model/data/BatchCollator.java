package org.dinoj.model.data;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Assembles per-image samples into one batch (e.g. stacks crops and draws the iBOT masks). All
 * randomness comes from {@code rng}, seeded per (seed, epoch, step, shard) by the loader.
 */
@FunctionalInterface
public interface BatchCollator<T, B> {
    B collate(List<T> samples, SplittableRandom rng);
}
