package org.dinoj.model.ssl;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The {@code dino.*} keys of dinov2's {@code ssl_default_config.yaml}, with its defaults.
 *
 * @param lossWeight {@code dino.loss_weight}: multiplies both DINO cross-entropy terms
 * @param headNPrototypes {@code dino.head_n_prototypes}: K, the DINO head's output size
 * @param headBottleneckDim {@code dino.head_bottleneck_dim}
 * @param headNlayers {@code dino.head_nlayers}
 * @param headHiddenDim {@code dino.head_hidden_dim}
 * @param koleoLossWeight {@code dino.koleo_loss_weight}: multiplies the sum of the two per-crop KoLeo terms
 */
public record DinoConfig(double lossWeight, @JsonProperty("head_n_prototypes") int headNPrototypes, int headBottleneckDim, int headNlayers,
                         int headHiddenDim, double koleoLossWeight) {

    public DinoConfig {
        requireNonNegative("dino.loss_weight", lossWeight);
        requireNonNegative("dino.koleo_loss_weight", koleoLossWeight);
        requirePositive("dino.head_n_prototypes", headNPrototypes);
        requirePositive("dino.head_bottleneck_dim", headBottleneckDim);
        requirePositive("dino.head_nlayers", headNlayers);
        requirePositive("dino.head_hidden_dim", headHiddenDim);
    }

    public static DinoConfig defaults() {
        return new DinoConfig(1.0, 65536, 256, 3, 2048, 0.1);
    }

    static void requirePositive(String key, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " is " + value + "; it must be positive");
        }
    }

    static void requirePositive(String key, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(key + " is " + value + "; it must be a positive finite number");
        }
    }

    static void requireNonNegative(String key, double value) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(key + " is " + value + "; it must be a finite number >= 0");
        }
    }
}
