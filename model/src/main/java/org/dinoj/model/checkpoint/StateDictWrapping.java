package org.dinoj.model.checkpoint;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The keys of a state dict as a model holds them, without the prefixes the code that saved it
 * wrapped them in: {@code module.} (DistributedDataParallel), {@code teacher.} / {@code student.}
 * (dinov2's and dinoj's training checkpoints hold both; the teacher is the model they evaluate) and
 * then {@code backbone.} (the ViT inside dinov2's SSL meta-architecture, beside its heads).
 *
 * @param keys each unwrapped key to the file's own key, in the file's order
 * @param prefix what was taken off (empty when nothing was)
 */
public record StateDictWrapping(Map<String, String> keys, String prefix) {
    private static final String DDP = "module.";
    private static final List<String> MODELS = List.of("teacher.", "student.");
    private static final String BACKBONE = "backbone.";

    public static StateDictWrapping of(Set<String> names) {
        String prefix = "";
        Map<String, String> keys = identity(names);
        if (allStartWith(keys.keySet(), DDP)) {
            keys = only(keys, DDP);
            prefix += DDP;
        }
        for (String model : MODELS) {
            if (keys.keySet().stream().anyMatch(k -> k.startsWith(model))) {
                keys = only(keys, model);
                prefix += model;
                break;
            }
        }
        if (keys.keySet().stream().anyMatch(k -> k.startsWith(BACKBONE))) {
            // The heads sit beside the backbone (dino_head., ibot_head.): only the backbone's keys lose a prefix.
            Map<String, String> unwrapped = new LinkedHashMap<>();
            keys.forEach((k, original) -> unwrapped.put(k.startsWith(BACKBONE) ? k.substring(BACKBONE.length()) : k, original));
            keys = unwrapped;
            prefix += BACKBONE;
        }
        return new StateDictWrapping(keys, prefix);
    }

    private static Map<String, String> identity(Set<String> names) {
        Map<String, String> keys = new LinkedHashMap<>();
        names.forEach(n -> keys.put(n, n));
        return keys;
    }

    private static boolean allStartWith(Set<String> keys, String prefix) {
        return !keys.isEmpty() && keys.stream().allMatch(k -> k.startsWith(prefix));
    }

    /** The keys under {@code prefix}, without it: the other model's keys (and any others) are left out. */
    private static Map<String, String> only(Map<String, String> keys, String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        keys.forEach((k, original) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), original);
            }
        });
        return out;
    }
}
