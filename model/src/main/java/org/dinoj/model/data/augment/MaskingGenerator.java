package org.dinoj.model.data.augment;

import java.util.SplittableRandom;

/**
 * dinov2's BEiT-style block {@code MaskingGenerator} on a {@code height x width} patch grid: masks
 * are unions of rectangles, added until the requested count is reached or a rectangle cannot be
 * placed. Exact loop semantics of {@code dinov2/data/masking.py}:
 * <pre>
 *   count = 0
 *   while count &lt; target:
 *       delta = placeBlock(mask, min(target - count, maxNumPatches))
 *       if delta == 0: break
 *       count += delta
 *   placeBlock(mask, maxPatches), up to 10 attempts:
 *       area = U(minNumPatches, maxPatches); aspect = exp(U(log minAspect, log maxAspect))
 *       h = round(sqrt(area * aspect)); w = round(sqrt(area / aspect))       (half to even)
 *       if w &lt; width and h &lt; height:
 *           top = randint(0, height - h); left = randint(0, width - w)     (inclusive)
 *           if 0 &lt; h*w - alreadyMaskedInRect &lt;= maxPatches: mask the rect, delta += newly masked
 *       if delta &gt; 0: stop
 * </pre>
 * So a mask never holds more than {@code target} patches, and may hold fewer.
 */
public final class MaskingGenerator {
    static final int ATTEMPTS = 10;

    private final int height;
    private final int width;
    private final int minNumPatches;
    private final double maxNumPatches;
    private final double logMinAspect;
    private final double logMaxAspect;

    /**
     * @param maxNumPatches the most patches one call of {@code placeBlock} may add (a float, as dinov2 passes it)
     */
    public MaskingGenerator(int height, int width, int minNumPatches, double maxNumPatches, double minAspect, double maxAspect) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("mask grid " + height + "x" + width + " must be positive");
        }
        if (!(minAspect > 0) || !(maxAspect >= minAspect)) {
            throw new IllegalArgumentException("mask aspect range [" + minAspect + ", " + maxAspect + "] must be positive and ordered");
        }
        this.height = height;
        this.width = width;
        this.minNumPatches = minNumPatches;
        this.maxNumPatches = maxNumPatches;
        this.logMinAspect = Math.log(minAspect);
        this.logMaxAspect = Math.log(maxAspect);
    }

    /**
     * The generator dinov2's {@code train.py} builds for a square grid of {@code side} patches per
     * side ({@code side = global_crops_size // patch_size}): min 4 patches, aspect [0.3, 1/0.3] and
     * {@code max_num_patches = 0.5 * img_size // patch_size * img_size // patch_size}, evaluated as
     * Python does (left to right, floor divisions on floats). That is 0.5 * side^2 when the crop size
     * is a multiple of twice the patch size (224/14: 128), a little less otherwise.
     */
    public static MaskingGenerator forDinov2(int globalCropsSize, int patchSize) {
        int side = globalCropsSize / patchSize;
        double maxNumPatches = Math.floor(Math.floor(0.5 * globalCropsSize / patchSize) * globalCropsSize / patchSize);
        return new MaskingGenerator(side, side, 4, maxNumPatches, 0.3, 1 / 0.3);
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public double maxNumPatches() {
        return maxNumPatches;
    }

    /**
     * Clears {@code mask[offset, offset + height*width)} (row-major [height, width]) and fills it
     * with a block mask of at most {@code target} patches. Returns the number of masked patches.
     */
    public int generate(int target, boolean[] mask, int offset, SplittableRandom rng) {
        java.util.Arrays.fill(mask, offset, offset + height * width, false);
        int count = 0;
        while (count < target) {
            double maxPatches = Math.min(target - count, maxNumPatches);
            int delta = placeBlock(mask, offset, maxPatches, rng);
            if (delta == 0) {
                break;
            }
            count += delta;
        }
        return count;
    }

    /** dinov2's {@code _mask}: tries up to 10 rectangles, masks the first that adds 1..maxPatches patches. */
    int placeBlock(boolean[] mask, int offset, double maxPatches, SplittableRandom rng) {
        int delta = 0;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            double targetArea = Draws.uniform(rng, minNumPatches, maxPatches);
            double aspectRatio = Math.exp(Draws.uniform(rng, logMinAspect, logMaxAspect));
            int h = (int) Math.rint(Math.sqrt(targetArea * aspectRatio));
            int w = (int) Math.rint(Math.sqrt(targetArea / aspectRatio));
            if (w < width && h < height) {
                int top = rng.nextInt(height - h + 1);
                int left = rng.nextInt(width - w + 1);
                int alreadyMasked = 0;
                for (int i = top; i < top + h; i++) {
                    for (int j = left; j < left + w; j++) {
                        if (mask[offset + i * width + j]) {
                            alreadyMasked++;
                        }
                    }
                }
                int added = h * w - alreadyMasked;
                if (0 < added && added <= maxPatches) {
                    for (int i = top; i < top + h; i++) {
                        for (int j = left; j < left + w; j++) {
                            int k = offset + i * width + j;
                            if (!mask[k]) {
                                mask[k] = true;
                                delta++;
                            }
                        }
                    }
                }
                if (delta > 0) {
                    break;
                }
            }
        }
        return delta;
    }
}
