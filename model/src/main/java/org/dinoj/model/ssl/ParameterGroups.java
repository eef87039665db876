package org.dinoj.model.ssl;

import java.util.ArrayList;
import java.util.List;
import org.dinoj.model.nn.Parameter;

/**
 * dinov2's {@code get_params_groups_with_decay} and {@code get_vit_lr_decay_rate}: the lr and
 * weight-decay multipliers of each parameter of one student sub-module, decided by its name.
 *
 * <ul>
 *   <li>layer id: {@code pos_embed, patch_embed, mask_token, cls_token, register_tokens} -> 0;
 *       {@code blocks.i.*} -> i + 1; anything else (final norm, heads) -> L + 1;
 *       {@code lr multiplier = layerwise_decay^(L + 1 - layer id)}</li>
 *   <li>{@code patch_embed*}: lr multiplier times {@code patch_embed_lr_mult}</li>
 *   <li>weight-decay multiplier 0 if the name ends with {@code .bias} or contains {@code norm} or
 *       {@code gamma} (LayerScale); else 1 (so tokens, pos_embed and last_layer.weight_g decay)</li>
 *   <li>last layer: the name contains {@code last_layer}</li>
 * </ul>
 */
public final class ParameterGroups {

    private ParameterGroups() {
    }

    /** One parameter with the multipliers of its group. */
    public record GroupedParameter(Parameter parameter, String subModule, double lrMultiplier, double wdMultiplier,
                                   boolean lastLayer) {
    }

    /**
     * Groups a backbone's parameters (names as in its state dict: {@code blocks.3.attn.qkv.weight},
     * optionally under a {@code backbone.} prefix).
     *
     * @param nBlocks number of transformer blocks L
     * @param chunkedBlocks whether block names carry dinov2's FSDP chunk index ({@code blocks.<chunk>.<i>.*})
     */
    public static List<GroupedParameter> backbone(String subModule, List<Parameter> parameters, int nBlocks,
                                                  boolean chunkedBlocks, double layerwiseDecay,
                                                  double patchEmbedLrMult) {
        if (nBlocks <= 0) {
            throw new IllegalArgumentException("backbone " + subModule + " has " + nBlocks + " blocks; a ViT has at least one");
        }
        return group(subModule, parameters, nBlocks, chunkedBlocks, layerwiseDecay, patchEmbedLrMult);
    }

    /**
     * Groups a head's parameters (a sub-module without blocks: dinov2's "else" branch, every lr
     * multiplier is {@code layerwise_decay^0 = 1}).
     */
    public static List<GroupedParameter> head(String subModule, List<Parameter> parameters, double layerwiseDecay,
                                              double patchEmbedLrMult) {
        return group(subModule, parameters, 0, false, layerwiseDecay, patchEmbedLrMult);
    }

    private static List<GroupedParameter> group(String subModule, List<Parameter> parameters, int nBlocks,
                                                boolean chunkedBlocks, double layerwiseDecay,
                                                double patchEmbedLrMult) {
        List<GroupedParameter> out = new ArrayList<>(parameters.size());
        for (Parameter p : parameters) {
            String name = p.name();
            double lrMultiplier = lrDecayRate(name, layerwiseDecay, nBlocks, nBlocks > 0, chunkedBlocks);
            if (name.contains("patch_embed")) {
                lrMultiplier *= patchEmbedLrMult;
            }
            out.add(new GroupedParameter(p, subModule, lrMultiplier, wdMultiplier(name), isLastLayer(name)));
        }
        return out;
    }

    /** dinov2's {@code get_vit_lr_decay_rate}, branch for branch. */
    static double lrDecayRate(String name, double lrDecayRate, int numLayers, boolean forceIsBackbone,
                              boolean chunkedBlocks) {
        int layerId = numLayers + 1;
        if (name.startsWith("backbone") || forceIsBackbone) {
            if (name.contains(".pos_embed") || name.contains(".patch_embed") || name.contains(".mask_token")
                    || name.contains(".cls_token") || name.contains(".register_tokens")) {
                layerId = 0;
            } else if (forceIsBackbone && (name.contains("pos_embed") || name.contains("patch_embed")
                    || name.contains("mask_token") || name.contains("cls_token")
                    || name.contains("register_tokens"))) {
                layerId = 0;
            } else if (name.contains(".blocks.") && !name.contains(".residual.")) {
                layerId = blockIndex(name, name.indexOf(".blocks."), 2) + 1;
            } else if (chunkedBlocks && name.contains("blocks.") && !name.contains("residual.")) {
                layerId = blockIndex(name, name.indexOf("blocks."), 2) + 1;
            } else if (name.contains("blocks.") && !name.contains("residual.")) {
                layerId = blockIndex(name, name.indexOf("blocks."), 1) + 1;
            }
        }
        return Math.pow(lrDecayRate, numLayers + 1 - layerId);
    }

    /** {@code int(name[from:].split(".")[field])}. */
    private static int blockIndex(String name, int from, int field) {
        String[] parts = name.substring(from).split("\\.", -1);
        try {
            return Integer.parseInt(parts[field]);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("parameter " + name + " looks like a block parameter but has no block"
                    + " index where dinov2 expects one (blocks.<i>.*)", e);
        }
    }

    static double wdMultiplier(String name) {
        return name.endsWith(".bias") || name.contains("norm") || name.contains("gamma") ? 0.0 : 1.0;
    }

    static boolean isLastLayer(String name) {
        return name.contains("last_layer");
    }
}
