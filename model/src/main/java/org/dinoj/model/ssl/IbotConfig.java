package org.dinoj.model.ssl;

import static org.dinoj.model.ssl.DinoConfig.requireNonNegative;
import static org.dinoj.model.ssl.DinoConfig.requirePositive;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The {@code ibot.*} keys of dinov2's {@code ssl_default_config.yaml}, with its defaults.
 *
 * @param lossWeight {@code ibot.loss_weight}
 * @param maskSampleProbability {@code ibot.mask_sample_probability}: share of global crops that get a mask
 * @param maskRatioMin {@code ibot.mask_ratio_min_max[0]}
 * @param maskRatioMax {@code ibot.mask_ratio_min_max[1]}
 * @param separateHead {@code ibot.separate_head}: false shares the DINO head for patch tokens
 * @param headNPrototypes {@code ibot.head_n_prototypes} (used only with a separate head)
 * @param headBottleneckDim {@code ibot.head_bottleneck_dim}
 * @param headNlayers {@code ibot.head_nlayers}
 * @param headHiddenDim {@code ibot.head_hidden_dim}
 */
public record IbotConfig(double lossWeight, double maskSampleProbability, double maskRatioMin, double maskRatioMax,
                         boolean separateHead, @JsonProperty("head_n_prototypes") int headNPrototypes, int headBottleneckDim, int headNlayers,
                         int headHiddenDim) {

    public IbotConfig {
        requireNonNegative("ibot.loss_weight", lossWeight);
        if (!(maskSampleProbability >= 0 && maskSampleProbability <= 1)) {
            throw new IllegalArgumentException("ibot.mask_sample_probability is " + maskSampleProbability
                    + "; it must lie in [0, 1]");
        }
        if (!(maskRatioMin >= 0 && maskRatioMin <= maskRatioMax && maskRatioMax <= 1)) {
            throw new IllegalArgumentException("ibot.mask_ratio_min_max is [" + maskRatioMin + ", " + maskRatioMax
                    + "]; it must satisfy 0 <= min <= max <= 1");
        }
        requirePositive("ibot.head_n_prototypes", headNPrototypes);
        requirePositive("ibot.head_bottleneck_dim", headBottleneckDim);
        requirePositive("ibot.head_nlayers", headNlayers);
        requirePositive("ibot.head_hidden_dim", headHiddenDim);
    }

    public static IbotConfig defaults() {
        return new IbotConfig(1.0, 0.5, 0.1, 0.5, false, 65536, 256, 3, 2048);
    }
}
