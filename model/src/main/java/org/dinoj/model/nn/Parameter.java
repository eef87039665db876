package org.dinoj.model.nn;

import org.dinoj.model.tensor.Tensor;

/**
 * A trainable tensor, its gradient (same shape, f32) and its state-dict key in the dinov2 / timm
 * naming ({@code blocks.3.attn.qkv.weight}). Layers write gradients; optimizers read them.
 */
public record Parameter(String name, Tensor value, Tensor grad) {
    public Parameter {
        if (!value.sameShape(grad)) {
            throw new IllegalArgumentException("parameter " + name + ": value " + value + " and gradient " + grad
                    + " differ in shape");
        }
    }

    /** The same parameter under a prefixed key, e.g. {@code backbone.} + name. */
    public Parameter prefixed(String prefix) {
        return new Parameter(prefix + name, value, grad);
    }
}
