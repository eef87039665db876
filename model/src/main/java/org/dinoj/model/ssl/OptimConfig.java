package org.dinoj.model.ssl;

import static org.dinoj.model.ssl.DinoConfig.requireNonNegative;
import static org.dinoj.model.ssl.DinoConfig.requirePositive;

/**
 * The {@code optim.*} keys of dinov2's {@code ssl_default_config.yaml}, with its defaults. The
 * yaml's {@code optim.lr} (0, "set after applying the scaling rule") is not stored: it is
 * {@link #scaledLr(long)}.
 *
 * @param epochs {@code optim.epochs}, in official epochs
 * @param weightDecay {@code optim.weight_decay}: weight decay at iteration 0
 * @param weightDecayEnd {@code optim.weight_decay_end}: reached by the cosine at the last iteration
 * @param baseLr {@code optim.base_lr}: learning rate for a total batch of 1024
 * @param warmupEpochs {@code optim.warmup_epochs}
 * @param minLr {@code optim.min_lr}: final learning rate of the cosine
 * @param clipGrad {@code optim.clip_grad}: max global gradient norm per student sub-module; 0 disables clipping
 * @param freezeLastLayerEpochs {@code optim.freeze_last_layer_epochs}: epochs with last-layer lr 0
 * @param scalingRule {@code optim.scaling_rule}; dinov2 implements only {@code sqrt_wrt_1024}
 * @param patchEmbedLrMult {@code optim.patch_embed_lr_mult}
 * @param layerwiseDecay {@code optim.layerwise_decay}
 * @param adamwBeta1 {@code optim.adamw_beta1}
 * @param adamwBeta2 {@code optim.adamw_beta2}
 */
public record OptimConfig(int epochs, double weightDecay, double weightDecayEnd, double baseLr, int warmupEpochs,
                          double minLr, double clipGrad, int freezeLastLayerEpochs, String scalingRule,
                          double patchEmbedLrMult, double layerwiseDecay, double adamwBeta1, double adamwBeta2) {

    /** The only scaling rule dinov2 implements. */
    public static final String SQRT_WRT_1024 = "sqrt_wrt_1024";
    /** torch.optim.AdamW's default epsilon, which dinov2 does not override. */
    public static final double ADAMW_EPS = 1e-8;

    public OptimConfig {
        requirePositive("optim.epochs", epochs);
        requireNonNegative("optim.weight_decay", weightDecay);
        requireNonNegative("optim.weight_decay_end", weightDecayEnd);
        requireNonNegative("optim.base_lr", baseLr);
        requireNonNegative("optim.min_lr", minLr);
        requireNonNegative("optim.clip_grad", clipGrad);
        requirePositive("optim.patch_embed_lr_mult", patchEmbedLrMult);
        requirePositive("optim.layerwise_decay", layerwiseDecay);
        if (warmupEpochs < 0 || warmupEpochs > epochs) {
            throw new IllegalArgumentException("optim.warmup_epochs is " + warmupEpochs
                    + "; it must lie in [0, optim.epochs = " + epochs + "]");
        }
        if (freezeLastLayerEpochs < 0) {
            throw new IllegalArgumentException("optim.freeze_last_layer_epochs is " + freezeLastLayerEpochs
                    + "; it must be >= 0");
        }
        if (!SQRT_WRT_1024.equals(scalingRule)) {
            throw new IllegalArgumentException("optim.scaling_rule is '" + scalingRule + "'; dinov2 implements only "
                    + SQRT_WRT_1024);
        }
        if (!(adamwBeta1 >= 0 && adamwBeta1 < 1) || !(adamwBeta2 >= 0 && adamwBeta2 < 1)) {
            throw new IllegalArgumentException("optim.adamw_beta1/2 are " + adamwBeta1 + "/" + adamwBeta2
                    + "; both must lie in [0, 1)");
        }
    }

    public static OptimConfig defaults() {
        return new OptimConfig(100, 0.04, 0.4, 0.004, 10, 1e-6, 3.0, 1, SQRT_WRT_1024, 0.2, 0.9, 0.9, 0.999);
    }

    /**
     * dinov2's {@code apply_scaling_rules_to_cfg}: {@code base_lr * sqrt(batchSizeTotal / 1024)}.
     *
     * @param batchSizeTotal images per step over all processes ({@code batch_size_per_gpu * world size})
     */
    public double scaledLr(long batchSizeTotal) {
        if (batchSizeTotal <= 0) {
            throw new IllegalArgumentException("total batch size is " + batchSizeTotal + "; it must be positive");
        }
        return baseLr * Math.sqrt(batchSizeTotal / 1024.0);
    }
}
