package org.dinoj.model.checkpoint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dinoj.model.nn.Parameter;
import org.dinoj.model.tensor.Device;
import org.dinoj.model.tensor.Tensor;

/**
 * Copies a state dict (name to tensor, any of F32, BF16, F64) into parameters by name, like
 * PyTorch's {@code load_state_dict(strict=True)}: every parameter must be found with its exact
 * shape, and every state-dict entry must be used, except names the caller lists as allowed to be
 * missing (a parameter the source model does not have, such as timm's absent {@code mask_token}).
 * Values are converted to the parameter's dtype element by element on the host.
 */
public final class StateDictLoader {
    private StateDictLoader() {
    }

    /**
     * @param parameters   host parameters to fill, keyed by {@link Parameter#name()}
     * @param stateDict    source tensors by name
     * @param allowMissing parameter names that may be absent from the state dict (left as they are)
     * @return the names left as they were (a subset of {@code allowMissing})
     */
    public static List<String> load(List<Parameter> parameters, Map<String, Tensor> stateDict, Set<String> allowMissing) {
        Set<String> unused = new LinkedHashSet<>(stateDict.keySet());
        List<String> missing = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<String> wrongShape = new ArrayList<>();
        for (Parameter p : parameters) {
            Tensor source = stateDict.get(p.name());
            if (source == null) {
                (allowMissing.contains(p.name()) ? skipped : missing).add(p.name());
                continue;
            }
            unused.remove(p.name());
            if (!Arrays.equals(source.shape(), p.value().shape())) {
                wrongShape.add(p.name() + " " + Arrays.toString(source.shape()) + " vs the model's "
                        + Arrays.toString(p.value().shape()));
            }
        }
        if (!missing.isEmpty() || !unused.isEmpty() || !wrongShape.isEmpty()) {
            throw new IllegalArgumentException("the state dict does not fit the model: missing " + few(missing)
                    + ", unexpected " + few(List.copyOf(unused)) + ", shape mismatches " + few(wrongShape)
                    + "; check the architecture (depth, dims, registers, image size) and the key mapping");
        }
        for (Parameter p : parameters) {
            Tensor source = stateDict.get(p.name());
            if (source == null) {
                continue;
            }
            Tensor target = p.value();
            if (target.device() != Device.CPU || source.device() != Device.CPU) {
                throw new IllegalArgumentException("state-dict loading copies on the host; parameter " + p.name()
                        + " is on " + target.device() + ": load into host parameters, then copy to the device");
            }
            for (long i = 0; i < target.numel(); i++) {
                target.setFlat(i, source.getFlat(i));
            }
        }
        return List.copyOf(skipped);
    }

    /** The first names of a list and how many there are: a model of another size misses hundreds. */
    private static String few(List<String> names) {
        int shown = 8;
        return names.size() <= shown ? names.toString()
                : names.subList(0, shown).toString().replace("]", ", ... (" + names.size() + " in all)]");
    }
}
