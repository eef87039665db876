package org.dinoj.model.data;

import java.util.SplittableRandom;

/**
 * The order in which an epoch visits a dataset, and how it is split into shards. The permutation
 * of epoch e depends only on (seed, e, size), so all shards agree on it; shard s of n takes the
 * contiguous positions {@code [floor(size*s/n), floor(size*(s+1)/n))}, which are disjoint and
 * together cover every position.
 */
public final class EpochOrder {
    private EpochOrder() {}

    /** Image indices in visiting order for {@code epoch}: a Fisher-Yates shuffle, or 0..size-1. */
    public static int[] permutation(long seed, long epoch, int size, boolean shuffle) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        if (shuffle) {
            SplittableRandom rng = new SplittableRandom(SeedMixer.mix(SeedMixer.PERMUTATION, seed, epoch));
            for (int i = size - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /** First permutation position of shard {@code shard} of {@code shards}. */
    public static int shardStart(int size, int shard, int shards) {
        return (int) ((long) size * shard / shards);
    }

    /** Number of positions in shard {@code shard} of {@code shards}. */
    public static int shardSize(int size, int shard, int shards) {
        return shardStart(size, shard + 1, shards) - shardStart(size, shard, shards);
    }
}
