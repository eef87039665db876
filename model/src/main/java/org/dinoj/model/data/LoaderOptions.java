package org.dinoj.model.data;

/**
 * How a {@link DataLoader} cuts and feeds batches.
 *
 * @param batchSize images per batch (per shard)
 * @param seed the base of every random stream: epoch permutations, per-image and per-batch RNGs
 * @param workers decoding and augmentation threads; 0 decodes on the caller's thread, no prefetch
 * @param prefetchBatches how many batches are decoded ahead of the one being consumed
 * @param shardIndex which shard this loader reads, in [0, shardCount)
 * @param shardCount how many disjoint shards the epoch permutation is split into
 * @param dropLast whether the last incomplete batch of an epoch is dropped
 * @param shuffle whether each epoch visits the images in a seeded random order (else in index order)
 * @param maxBadFraction largest fraction of undecodable images tolerated before loading stops
 */
public record LoaderOptions(int batchSize, long seed, int workers, int prefetchBatches, int shardIndex, int shardCount,
        boolean dropLast, boolean shuffle, double maxBadFraction) {
    /** 1%: a few damaged files are normal in scraped data, many mean the wrong files were given. */
    public static final double DEFAULT_MAX_BAD_FRACTION = 0.01;

    public LoaderOptions {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size " + batchSize + " must be positive");
        }
        if (workers < 0) {
            throw new IllegalArgumentException("worker count " + workers + " must not be negative");
        }
        if (prefetchBatches < 1) {
            throw new IllegalArgumentException("prefetch depth " + prefetchBatches + " must be at least 1 batch");
        }
        if (shardCount < 1 || shardIndex < 0 || shardIndex >= shardCount) {
            throw new IllegalArgumentException("shard " + shardIndex + " of " + shardCount + " is not a valid shard");
        }
        if (!(maxBadFraction >= 0 && maxBadFraction <= 1)) {
            throw new IllegalArgumentException("allowed fraction of bad images " + maxBadFraction + " must lie in [0, 1]");
        }
    }

    /**
     * Training defaults: shuffled, last incomplete batch dropped, one shard, one worker per core
     * (at least 1), two batches per worker in flight, 1% bad images tolerated.
     */
    public static LoaderOptions of(int batchSize, long seed) {
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        return new LoaderOptions(batchSize, seed, cores, 2 * cores, 0, 1, true, true, DEFAULT_MAX_BAD_FRACTION);
    }

    public LoaderOptions withWorkers(int workerCount, int prefetch) {
        return new LoaderOptions(batchSize, seed, workerCount, prefetch, shardIndex, shardCount, dropLast, shuffle, maxBadFraction);
    }

    public LoaderOptions withShard(int index, int count) {
        return new LoaderOptions(batchSize, seed, workers, prefetchBatches, index, count, dropLast, shuffle, maxBadFraction);
    }

    public LoaderOptions withDropLast(boolean drop) {
        return new LoaderOptions(batchSize, seed, workers, prefetchBatches, shardIndex, shardCount, drop, shuffle, maxBadFraction);
    }

    public LoaderOptions withShuffle(boolean shuffled) {
        return new LoaderOptions(batchSize, seed, workers, prefetchBatches, shardIndex, shardCount, dropLast, shuffled, maxBadFraction);
    }

    public LoaderOptions withMaxBadFraction(double fraction) {
        return new LoaderOptions(batchSize, seed, workers, prefetchBatches, shardIndex, shardCount, dropLast, shuffle, fraction);
    }
}
