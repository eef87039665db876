package org.dinoj.model.data;

/**
 * Derives independent 64-bit seeds from tuples such as (seed, epoch, image index), so every random
 * stream in the data pipeline depends only on its coordinates and never on thread scheduling. Each
 * stream kind has its own domain constant, so e.g. the permutation of epoch 3 and the image RNG of
 * image 3 never share a seed.
 */
public final class SeedMixer {
    /** Domain of the per-epoch permutation. */
    public static final long PERMUTATION = 0x5045524D5554454EL;
    /** Domain of the per-image transform RNG. */
    public static final long IMAGE = 0x494D414745524E47L;
    /** Domain of the per-batch collator RNG. */
    public static final long BATCH = 0x4241544348524E47L;
    /** Domain of generated (synthetic) image content. */
    public static final long SYNTHETIC = 0x53594E5448455449L;

    private SeedMixer() {}

    public static long mix(long domain, long a, long b) {
        return fmix(fmix(fmix(domain) ^ a) + 0x9E3779B97F4A7C15L * (b + 1));
    }

    public static long mix(long domain, long a, long b, long c) {
        return fmix(mix(domain, a, b) ^ 0x9E3779B97F4A7C15L * (c + 1));
    }

    public static long mix(long domain, long a, long b, long c, long d) {
        return fmix(mix(domain, a, b, c) ^ 0xC2B2AE3D27D4EB4FL * (d + 1));
    }

    /** MurmurHash3's 64-bit finaliser: a bijection that spreads every input bit over the output. */
    private static long fmix(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h;
    }
}
