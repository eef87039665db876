package org.dinoj.model.train.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dinoj.model.nn.DinoHeadConfig;
import org.dinoj.model.nn.ViTConfig;
import org.dinoj.model.ssl.CenteringMode;

/**
 * The configuration keys that decide the shapes of a DINOv2 checkpoint's tensors, with their
 * values: a retraining loads its base's weights only where the two agree. Rates, schedules, data and
 * the number of heads (qkv is D x 3D either way) do not count.
 */
public record ModelShape(Map<String, String> keys, CenteringMode centering) {
    private static final String SEPARATE_IBOT_HEAD = "ibot.separate_head";
    private static final String IBOT_CENTRE = "iBOT centre prototypes";

    public ModelShape {
        keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
    }

    public static ModelShape of(DinoV2Config config) {
        ViTConfig vit = config.vit();
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("student.arch (embedding width)", Integer.toString(vit.embedDim()));
        keys.put("student.depth", Integer.toString(vit.depth()));
        keys.put("student.patch_size", Integer.toString(vit.patchSize()));
        keys.put("crops.global_crops_size / student.patch_size (position grid)", vit.gridSize() + "x" + vit.gridSize());
        keys.put("student.in_chans", Integer.toString(vit.inChannels()));
        keys.put("student.ffn_layer (hidden width)", vit.ffn().name().toLowerCase(Locale.ROOT) + " " + vit.mlpHidden());
        keys.put("student.num_register_tokens", Integer.toString(vit.registerTokens()));
        keys.put("student.layerscale", vit.layerScaleInit() == 0 ? "0 (none)" : "on");
        keys.put("biases (qkv, proj, ffn)", vit.qkvBias() + ", " + vit.projBias() + ", " + vit.ffnBias());
        head(keys, "dino", config.dinoHead());
        // A base with an iBOT head of its own loads into a model without one (its head is left out), not back.
        if (config.ibot().separateHead()) {
            keys.put(SEPARATE_IBOT_HEAD, "true");
            head(keys, "ibot", config.ibotHead());
        }
        if (config.train().centering() == CenteringMode.CENTERING) {
            // The iBOT centre is [1, K] of the patch logits: the iBOT head's K when separate, else the DINO head's.
            keys.put(IBOT_CENTRE, Integer.toString(config.ibotPrototypes()));
        }
        return new ModelShape(keys, config.train().centering());
    }

    private static void head(Map<String, String> keys, String section, DinoHeadConfig head) {
        keys.put(section + ".head_n_prototypes", Integer.toString(head.prototypes()));
        keys.put(section + ".head_nlayers", Integer.toString(head.layers()));
        if (head.layers() > 1) {
            // One layer is a single Linear to the bottleneck: no hidden width.
            keys.put(section + ".head_hidden_dim", Integer.toString(head.hiddenDim()));
        }
        keys.put(section + ".head_bottleneck_dim", Integer.toString(head.bottleneckDim()));
    }

    /**
     * Where a model of this shape cannot load the weights of {@code base}: one phrase per key, "KEY X
     * there, Y here". Centering loads the base's centres, which a Sinkhorn-Knopp run never saved.
     */
    public List<String> cannotLoad(ModelShape base) {
        List<String> out = new ArrayList<>();
        boolean noIbotHeadThere = keys.containsKey(SEPARATE_IBOT_HEAD) && !base.keys.containsKey(SEPARATE_IBOT_HEAD);
        keys.forEach((key, here) -> {
            if (noIbotHeadThere && key.startsWith("ibot.") || key.equals(IBOT_CENTRE) && !base.keys.containsKey(key)) {
                return; // said once below, by the head or by the centering
            }
            String there = base.keys.get(key);
            if (!here.equals(there)) {
                out.add(key + " " + there + " there, " + here + " here");
            }
        });
        if (noIbotHeadThere) {
            out.add(SEPARATE_IBOT_HEAD + " false there, true here");
        }
        if (centering == CenteringMode.CENTERING && base.centering != CenteringMode.CENTERING) {
            out.add("train.centering " + base.centering.name().toLowerCase(Locale.ROOT)
                    + " there (no centres saved), centering here");
        }
        return List.copyOf(out);
    }
}
