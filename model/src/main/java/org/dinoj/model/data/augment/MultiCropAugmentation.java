package org.dinoj.model.data.augment;

import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.dinoj.model.data.Image;
import org.dinoj.model.data.ImageTransform;

/**
 * dinov2's {@code DataAugmentationDINO} on {@link Image}s in [0, 1]. Per crop, in dinov2's order:
 * <pre>
 *   RandomResizedCrop(size, scale, ratio 3/4..4/3, bicubic) -> RandomHorizontalFlip(0.5)
 *   -> RandomApply(ColorJitter(0.4, 0.4, 0.2, 0.1), 0.8) -> RandomGrayscale(0.2)
 *   -> GaussianBlur(9, sigma 0.1..2) with p per crop kind -> [global 2 only] RandomSolarize(128, 0.2)
 *   -> Normalize(mean, std)
 * </pre>
 * The jitter's 0.8 and the solarize 0.2 are dinov2's and {@link AugmentationConfig}'s defaults.
 * Global crops 1 and 2 are independent crops of the same image; then L local crops. One-channel
 * images stay one channel throughout (saturation, hue and grayscale are identities on them). An image
 * is first brought to the normalisation's channel count ({@link ChannelConversion}).
 *
 * <p>dinov2 runs these ops on 8-bit PIL images, rounding to 1/255 after each; here values stay
 * float between ops (differences of at most about 1/255 per op). Probabilities follow torchvision:
 * {@code RandomApply} applies when {@code u <= p}, flip/grayscale/solarize when {@code u < p}.
 *
 * <p>Thread-safe: each thread reuses its own resampling and blur scratch buffers; only the output
 * crops are allocated per call.
 */
public final class MultiCropAugmentation implements ImageTransform<MultiCropSample> {
    static final double FLIP_PROBABILITY = 0.5;
    static final double GRAYSCALE_PROBABILITY = 0.2;

    private final AugmentationConfig config;
    private final Consumer<AppliedAugmentation> trace;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    public MultiCropAugmentation(AugmentationConfig config) {
        this(config, null);
    }

    /** With a listener that receives what was drawn for every crop (tests, debugging). */
    MultiCropAugmentation(AugmentationConfig config, Consumer<AppliedAugmentation> trace) {
        this.config = config;
        this.trace = trace;
    }

    public AugmentationConfig config() {
        return config;
    }

    @Override
    public MultiCropSample apply(Image decoded, SplittableRandom rng) {
        Image image = ChannelConversion.toChannels(decoded, config.normalization().channels());
        int channels = image.channels();
        CropsConfig crops = config.crops();
        BlurProbabilities blur = config.blur();
        Scratch s = scratch.get();
        float[][] global = new float[2][];
        global[0] = crop(image, CropKind.GLOBAL_1, 0, crops.globalCropsSize(), crops.globalCropsScale(), blur.globalCrop1(), rng, s);
        global[1] = crop(image, CropKind.GLOBAL_2, 1, crops.globalCropsSize(), crops.globalCropsScale(), blur.globalCrop2(), rng, s);
        float[][] local = new float[crops.localCropsNumber()][];
        for (int i = 0; i < local.length; i++) {
            local[i] = crop(image, CropKind.LOCAL, i, crops.localCropsSize(), crops.localCropsScale(), blur.localCrop(), rng, s);
        }
        return new MultiCropSample(channels, crops.globalCropsSize(), crops.localCropsSize(), global, local);
    }

    /** One crop through its pipeline; returns [C, size, size] normalised. */
    private float[] crop(Image image, CropKind kind, int index, int size, Interval scale, double blurProbability,
            SplittableRandom rng, Scratch s) {
        int channels = image.channels();
        int plane = size * size;
        float[] out = new float[channels * plane];
        CropBox box = RandomResizedCrop.sample(image.height(), image.width(), scale, rng);
        boolean flipped = rng.nextDouble() < FLIP_PROBABILITY;
        s.resampler.resizeCrop(image, box, size, size, flipped, out);

        ColorJitter.Params jitter = null;
        if (randomApply(config.colorJitterProbability(), rng)) {
            jitter = ColorJitter.sample(rng);
            ColorJitter.apply(jitter, out, channels, plane);
        }
        boolean gray = rng.nextDouble() < GRAYSCALE_PROBABILITY;
        if (gray) {
            Grayscale.applyInPlace(out, channels, plane);
        }
        double sigma = Double.NaN;
        if (randomApply(blurProbability, rng)) {
            sigma = Draws.uniform(rng, GaussianBlur.SIGMA_MIN, GaussianBlur.SIGMA_MAX);
            s.blur.apply(out, channels, size, size, sigma);
        }
        boolean solarized = false;
        if (kind == CropKind.GLOBAL_2) {
            solarized = rng.nextDouble() < config.solarizeProbability();
            if (solarized) {
                Solarize.applyInPlace(out);
            }
        }
        config.normalization().applyInPlace(out, 0, plane);
        if (trace != null) {
            trace.accept(new AppliedAugmentation(kind, index, box, flipped, jitter, gray, sigma, solarized));
        }
        return out;
    }

    /**
     * torchvision's {@code RandomApply}: skipped when {@code p < u}, so applied when {@code u <= p};
     * never at p = 0, which switches the op off (torchvision would still apply it when u is 0).
     */
    private static boolean randomApply(double p, SplittableRandom rng) {
        double u = rng.nextDouble();
        return p > 0 && !(p < u);
    }

    /** Per-thread buffers. */
    private static final class Scratch {
        final BicubicResampler resampler = new BicubicResampler();
        final GaussianBlur blur = new GaussianBlur();
    }
}
