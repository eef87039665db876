package org.dinoj.model.nn;

import java.util.ArrayList;
import java.util.List;
import org.dinoj.model.backend.Backend;

/** Helpers over parameter lists. */
public final class Parameters {
    private Parameters() {
    }

    /**
     * Sets every gradient to zero. Layers ADD into {@link Parameter#grad()} in their backward pass
     * (so a backbone run on global and on local crops accumulates both contributions); call this
     * once before the backward passes of each step.
     */
    public static void zeroGrad(Backend backend, List<Parameter> parameters) {
        for (Parameter p : parameters) {
            backend.fill(p.grad(), 0f);
        }
    }

    /** The parameter with key {@code name}; throws naming the key when there is none. */
    public static Parameter named(List<Parameter> parameters, String name) {
        for (Parameter p : parameters) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no parameter named " + name + " among " + parameters.size()
                + " parameters");
    }

    /** Total number of scalar weights. */
    public static long count(List<Parameter> parameters) {
        long n = 0;
        for (Parameter p : parameters) {
            n += p.value().numel();
        }
        return n;
    }

    /** The lists one after the other, as one unmodifiable list. */
    @SafeVarargs
    public static List<Parameter> concat(List<Parameter>... lists) {
        ArrayList<Parameter> all = new ArrayList<>();
        for (List<Parameter> list : lists) {
            all.addAll(list);
        }
        return List.copyOf(all);
    }
}
