package org.dinoj.model.train.config;

import java.util.List;
import java.util.Locale;
import org.dinoj.model.data.LoaderOptions;
import org.dinoj.model.data.augment.AugmentationConfig;
import org.dinoj.model.data.augment.BlurProbabilities;
import org.dinoj.model.data.augment.Normalization;

/**
 * Where the training images come from and how they are fed (dinoj keys; dinov2 keeps these in
 * {@code train.dataset_path} and the launcher).
 *
 * @param dataset        dataset spec: {@code fashion-mnist}, {@code idx:DIR}, {@code folder:DIR}, {@code synthetic:N[:HxW[xC]][:K]}
 * @param workers        decoding and augmentation threads (0: on the training thread)
 * @param prefetch       batches decoded ahead of the step
 * @param maxBadFraction largest fraction of undecodable images tolerated
 * @param mean           per-channel normalisation mean (one value per image channel)
 * @param std            per-channel normalisation std
 * @param blur           {@code dinov2_effective} (what dinov2 actually does: 0 / 0.9 / 0.5), {@code dino_v1} (1 / 0.1 / 0.5) or {@code none}
 * @param colorJitterProbability chance that a crop gets the colour jitter (dinov2: 0.8; on one-channel
 *                       images only its brightness and contrast act)
 * @param solarizeProbability chance that the second global crop is solarized (dinov2: 0.2)
 */
public record DataConfig(String dataset, int workers, int prefetch, double maxBadFraction, List<Double> mean,
                         List<Double> std, String blur, double colorJitterProbability, double solarizeProbability) {

    public DataConfig {
        if (workers < 0 || prefetch < 1) {
            throw new IllegalArgumentException("data.workers (" + workers + ") must be >= 0 and data.prefetch ("
                    + prefetch + ") >= 1");
        }
        if (!(maxBadFraction >= 0 && maxBadFraction <= 1)) {
            throw new IllegalArgumentException("data.max_bad_fraction is " + maxBadFraction + "; it must lie in [0, 1]");
        }
        if (mean == null || std == null || mean.isEmpty() || mean.size() != std.size()) {
            throw new IllegalArgumentException("data.mean and data.std need one value per image channel each, got "
                    + mean + " and " + std);
        }
        mean = List.copyOf(mean);
        std = List.copyOf(std);
        blurProbabilities(blur);
        AugmentationConfig.requireProbability("data.color_jitter_probability", colorJitterProbability);
        AugmentationConfig.requireProbability("data.solarize_probability", solarizeProbability);
    }

    /** ImageNet statistics, two workers, dinov2's effective blur, jitter and solarize probabilities; no dataset. */
    public static DataConfig defaults() {
        return new DataConfig(null, 2, 4, LoaderOptions.DEFAULT_MAX_BAD_FRACTION, List.of(0.485, 0.456, 0.406),
                List.of(0.229, 0.224, 0.225), "dinov2_effective", AugmentationConfig.DINOV2_COLOR_JITTER_PROBABILITY,
                AugmentationConfig.DINOV2_SOLARIZE_PROBABILITY);
    }

    /** The dataset spec; throws a sentence saying how to set it when it is missing. */
    public String requireDataset() {
        if (dataset == null || dataset.isBlank()) {
            throw new IllegalArgumentException("data.dataset is not set: name one, e.g. data.dataset=fashion-mnist, "
                    + "idx:DIR, folder:DIR or synthetic:1000");
        }
        return dataset;
    }

    public Normalization normalization() {
        float[] m = new float[mean.size()];
        float[] s = new float[std.size()];
        for (int i = 0; i < m.length; i++) {
            m[i] = mean.get(i).floatValue();
            s[i] = std.get(i).floatValue();
        }
        return new Normalization(m, s);
    }

    public BlurProbabilities blurProbabilities() {
        return blurProbabilities(blur);
    }

    private static BlurProbabilities blurProbabilities(String blur) {
        return switch (blur == null ? "" : blur.toLowerCase(Locale.ROOT)) {
            case "dinov2_effective" -> BlurProbabilities.DINOV2_EFFECTIVE;
            case "dino_v1" -> BlurProbabilities.DINO_V1;
            case "none" -> BlurProbabilities.NONE;
            default -> throw new IllegalArgumentException("data.blur is '" + blur + "'; use dinov2_effective, dino_v1 or none");
        };
    }
}
