package org.dinoj.model.nn;

import java.util.Locale;

/**
 * Architecture of a dinov2 VisionTransformer.
 *
 * @param name              preset name, for logs
 * @param imageSize         training (global crop) size: pos_embed covers an (imageSize/patch)^2 grid
 * @param patchSize         patch edge in pixels
 * @param inChannels        image channels
 * @param embedDim          D
 * @param depth             number of blocks
 * @param heads             attention heads (D must be divisible by it)
 * @param mlpRatio          FFN hidden = int(D * mlpRatio) (rounded again for SwiGLU)
 * @param ffn               FFN kind
 * @param registerTokens    R register tokens (0: none)
 * @param layerScaleInit    LayerScale gamma init (dinov2 training: 1e-5; 0: no LayerScale)
 * @param dropPathRate      stochastic-depth rate of the student's training passes (same in every block)
 * @param interpolateOffset dinov2's interpolate_offset (0.1) for pos_embed resizing
 */
public record ViTConfig(String name, int imageSize, int patchSize, int inChannels, int embedDim, int depth, int heads,
                        double mlpRatio, FfnKind ffn, int registerTokens, float layerScaleInit, double dropPathRate,
                        double interpolateOffset, boolean qkvBias, boolean projBias, boolean ffnBias) {

    /** dinov2's ffn_layer values used by the released models. */
    public enum FfnKind {
        MLP,
        SWIGLU_FUSED
    }

    public ViTConfig {
        if (imageSize <= 0 || patchSize <= 0 || imageSize % patchSize != 0) {
            throw new IllegalArgumentException("ViT " + name + ": image size " + imageSize
                    + " is not a positive multiple of the patch size " + patchSize);
        }
        if (embedDim <= 0 || heads <= 0 || embedDim % heads != 0) {
            throw new IllegalArgumentException("ViT " + name + ": embedding dim " + embedDim
                    + " is not divisible by " + heads + " heads");
        }
        if (depth <= 0 || inChannels <= 0 || registerTokens < 0 || mlpRatio <= 0) {
            throw new IllegalArgumentException("ViT " + name + ": depth, channels and MLP ratio must be positive and "
                    + "register tokens not negative");
        }
        if (dropPathRate < 0 || dropPathRate >= 1) {
            throw new IllegalArgumentException("ViT " + name + ": drop path rate " + dropPathRate
                    + " is outside [0, 1)");
        }
    }

    /** Side of the learned position-embedding grid, M = imageSize / patchSize. */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /** The requested FFN hidden width int(D * mlpRatio) (SwiGLU rounds it further). */
    public int mlpHidden() {
        return (int) (embedDim * mlpRatio);
    }

    private static ViTConfig base(String name, int imageSize, int patch, int dim, int depth, int heads, FfnKind ffn) {
        return new ViTConfig(name, imageSize, patch, 3, dim, depth, heads, 4.0, ffn, 0, 1e-5f, 0.0, 0.1,
                true, true, true);
    }

    /** dinov2 vit_small: D 384, 12 blocks, 6 heads, MLP 1536. */
    public static ViTConfig vitSmall(int patch, int imageSize) {
        return base("vit_small", imageSize, patch, 384, 12, 6, FfnKind.MLP);
    }

    /** dinov2 vit_base: D 768, 12 blocks, 12 heads, MLP 3072. */
    public static ViTConfig vitBase(int patch, int imageSize) {
        return base("vit_base", imageSize, patch, 768, 12, 12, FfnKind.MLP);
    }

    /** dinov2 vit_large: D 1024, 24 blocks, 16 heads, MLP 4096. */
    public static ViTConfig vitLarge(int patch, int imageSize) {
        return base("vit_large", imageSize, patch, 1024, 24, 16, FfnKind.MLP);
    }

    /** dinov2 vit_giant2: D 1536, 40 blocks, 24 heads, fused SwiGLU (hidden 4096). */
    public static ViTConfig vitGiant2(int patch, int imageSize) {
        return base("vit_giant2", imageSize, patch, 1536, 40, 24, FfnKind.SWIGLU_FUSED);
    }

    /** DINO v1's vit_tiny: D 192, 12 blocks, 3 heads, MLP 768. */
    public static ViTConfig vitTiny(int patch, int imageSize) {
        return base("vit_tiny", imageSize, patch, 192, 12, 3, FfnKind.MLP);
    }

    /**
     * Presets by name: {@code vit_small}, {@code vit_base}, {@code vit_large}, {@code vit_giant2}
     * (patch 14, 224 px), {@code vit_tiny_p4}, {@code vit_small_p4} (patch 4, 32 px, for 28-32 px
     * images; use {@link #withImageSize} for 28), and {@code vit_micro_p4} (D 32, 2 blocks, 2 heads,
     * 16 px) for tests and smoke runs.
     */
    public static ViTConfig named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "vit_small" -> vitSmall(14, 224);
            case "vit_base" -> vitBase(14, 224);
            case "vit_large" -> vitLarge(14, 224);
            case "vit_giant2" -> vitGiant2(14, 224);
            case "vit_tiny_p4" -> vitTiny(4, 32).withName("vit_tiny_p4");
            case "vit_small_p4" -> vitSmall(4, 32).withName("vit_small_p4");
            case "vit_micro_p4" -> base("vit_micro_p4", 16, 4, 32, 2, 2, FfnKind.MLP);
            default -> throw new IllegalArgumentException("unknown ViT preset '" + name + "': use one of vit_small, "
                    + "vit_base, vit_large, vit_giant2, vit_tiny_p4, vit_small_p4, vit_micro_p4");
        };
    }

    public ViTConfig withName(String newName) {
        return new ViTConfig(newName, imageSize, patchSize, inChannels, embedDim, depth, heads, mlpRatio, ffn,
                registerTokens, layerScaleInit, dropPathRate, interpolateOffset, qkvBias, projBias, ffnBias);
    }

    public ViTConfig withImageSize(int size) {
        return new ViTConfig(name, size, patchSize, inChannels, embedDim, depth, heads, mlpRatio, ffn,
                registerTokens, layerScaleInit, dropPathRate, interpolateOffset, qkvBias, projBias, ffnBias);
    }

    public ViTConfig withInChannels(int channels) {
        return new ViTConfig(name, imageSize, patchSize, channels, embedDim, depth, heads, mlpRatio, ffn,
                registerTokens, layerScaleInit, dropPathRate, interpolateOffset, qkvBias, projBias, ffnBias);
    }

    public ViTConfig withRegisterTokens(int count) {
        return new ViTConfig(name, imageSize, patchSize, inChannels, embedDim, depth, heads, mlpRatio, ffn,
                count, layerScaleInit, dropPathRate, interpolateOffset, qkvBias, projBias, ffnBias);
    }

    public ViTConfig withDropPathRate(double rate) {
        return new ViTConfig(name, imageSize, patchSize, inChannels, embedDim, depth, heads, mlpRatio, ffn,
                registerTokens, layerScaleInit, rate, interpolateOffset, qkvBias, projBias, ffnBias);
    }

    public ViTConfig withLayerScaleInit(float init) {
        return new ViTConfig(name, imageSize, patchSize, inChannels, embedDim, depth, heads, mlpRatio, ffn,
                registerTokens, init, dropPathRate, interpolateOffset, qkvBias, projBias, ffnBias);
    }

    public ViTConfig withFfn(FfnKind kind) {
        return new ViTConfig(name, imageSize, patchSize, inChannels, embedDim, depth, heads, mlpRatio, kind,
                registerTokens, layerScaleInit, dropPathRate, interpolateOffset, qkvBias, projBias, ffnBias);
    }

    /** A small custom architecture (tests): D, depth, heads, patch and image size. */
    public static ViTConfig custom(String name, int imageSize, int patch, int dim, int depth, int heads) {
        return base(name, imageSize, patch, dim, depth, heads, FfnKind.MLP);
    }
}
