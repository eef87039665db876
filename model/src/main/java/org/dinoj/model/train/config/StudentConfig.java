package org.dinoj.model.train.config;

import java.util.Locale;
import org.dinoj.model.nn.ViTConfig;

/**
 * The {@code student.*} keys of dinov2's yaml that dinoj supports: an architecture preset and the
 * overrides applied to it. The image size is not a student key: as in dinov2's
 * {@code build_model}, pos_embed covers {@code crops.global_crops_size}.
 *
 * @param arch              preset name ({@link ViTConfig#named}: vit_small, vit_base, vit_large, vit_giant2,
 *                          vit_tiny_p4, vit_small_p4, vit_micro_p4)
 * @param patchSize         {@code student.patch_size}; null keeps the preset's
 * @param depth             {@code student.depth} (a dinoj key): number of blocks; null keeps the preset's.
 *                          Shallower backbones trade capacity for steps on small data and CPUs
 * @param dropPathRate      {@code student.drop_path_rate} (uniform over blocks, dinov2's {@code drop_path_uniform})
 * @param layerscale        {@code student.layerscale}: LayerScale init; 0 for none
 * @param ffnLayer          {@code student.ffn_layer}: mlp, swiglu or swiglufused
 * @param numRegisterTokens {@code student.num_register_tokens}
 * @param inChans           image channels (1 for Fashion-MNIST); dinov2 hard-codes 3
 * @param interpolateOffset {@code student.interpolate_offset}
 */
public record StudentConfig(String arch, Integer patchSize, Integer depth, double dropPathRate, double layerscale, String ffnLayer,
                            int numRegisterTokens, int inChans, double interpolateOffset) {

    public StudentConfig {
        if (arch == null || arch.isBlank()) {
            throw new IllegalArgumentException("student.arch is missing: name a preset such as vit_small or vit_tiny_p4");
        }
        if (patchSize != null && patchSize <= 0) {
            throw new IllegalArgumentException("student.patch_size is " + patchSize + "; it must be positive");
        }
        if (depth != null && depth <= 0) {
            throw new IllegalArgumentException("student.depth is " + depth + "; it must be positive (or absent for the preset's)");
        }
        if (!(dropPathRate >= 0 && dropPathRate < 1)) {
            throw new IllegalArgumentException("student.drop_path_rate is " + dropPathRate + "; it must lie in [0, 1)");
        }
        if (!(layerscale >= 0) || !Double.isFinite(layerscale)) {
            throw new IllegalArgumentException("student.layerscale is " + layerscale + "; use a finite value >= 0 (0: none)");
        }
        ffnKind(ffnLayer);
        if (numRegisterTokens < 0 || inChans <= 0) {
            throw new IllegalArgumentException("student.num_register_tokens (" + numRegisterTokens
                    + ") must be >= 0 and student.in_chans (" + inChans + ") positive");
        }
    }

    /**
     * dinov2's {@code ssl_default_config.yaml} student (vit_large, drop path 0.3, LayerScale 1e-5),
     * except that the patch size is the preset's (14 for vit_large) rather than 16, so that naming
     * another preset brings its own patch size.
     */
    public static StudentConfig defaults() {
        return new StudentConfig("vit_large", null, null, 0.3, 1e-5, "mlp", 0, 3, 0.1);
    }

    /** The architecture with pos_embed for {@code imageSize} (the global crop size). */
    public ViTConfig vit(int imageSize) {
        ViTConfig base = ViTConfig.named(arch);
        int patch = patchSize != null ? patchSize : base.patchSize();
        if (imageSize % patch != 0) {
            throw new IllegalArgumentException("crops.global_crops_size " + imageSize + " is not a multiple of the patch size "
                    + patch + " of " + arch + ": change one of them");
        }
        return new ViTConfig(base.name(), imageSize, patch, inChans, base.embedDim(), depth != null ? depth : base.depth(), base.heads(),
                base.mlpRatio(), ffnKind(ffnLayer), numRegisterTokens, (float) layerscale, dropPathRate,
                interpolateOffset, base.qkvBias(), base.projBias(), base.ffnBias());
    }

    private static ViTConfig.FfnKind ffnKind(String ffnLayer) {
        return switch (ffnLayer == null ? "" : ffnLayer.toLowerCase(Locale.ROOT)) {
            case "mlp" -> ViTConfig.FfnKind.MLP;
            case "swiglu", "swiglufused" -> ViTConfig.FfnKind.SWIGLU_FUSED;
            default -> throw new IllegalArgumentException("student.ffn_layer is '" + ffnLayer
                    + "'; use mlp, swiglu or swiglufused");
        };
    }
}
