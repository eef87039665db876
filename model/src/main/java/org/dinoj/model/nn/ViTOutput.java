package org.dinoj.model.nn;

import org.dinoj.model.tensor.Tensor;

/**
 * The token tensors of one {@link VisionTransformer} forward pass (after the final norm), as
 * dinov2's forward_features dict. They are views into buffers that the next forward pass with the
 * same input shape overwrites; {@link VisionTransformer#backward} checks that this has not
 * happened.
 */
public final class ViTOutput {
    final VisionTransformer owner;
    final VisionTransformer.Plan plan;
    final long generation;
    private final Tensor tokens;
    private final Tensor clsToken;
    private final Tensor registerTokens;
    private final Tensor patchTokens;

    ViTOutput(VisionTransformer owner, VisionTransformer.Plan plan, long generation, Tensor tokens, Tensor clsToken,
              Tensor registerTokens, Tensor patchTokens) {
        this.owner = owner;
        this.plan = plan;
        this.generation = generation;
        this.tokens = tokens;
        this.clsToken = clsToken;
        this.registerTokens = registerTokens;
        this.patchTokens = patchTokens;
    }

    /** All normed tokens {@code [B, 1 + R + Np, D]}: CLS, registers, patches. */
    public Tensor tokens() {
        return tokens;
    }

    /** x_norm_clstoken {@code [B, D]} (a strided view). */
    public Tensor clsToken() {
        return clsToken;
    }

    /** x_norm_regtokens {@code [B, R, D]}; null for a model without registers. */
    public Tensor registerTokens() {
        return registerTokens;
    }

    /** x_norm_patchtokens {@code [B, Np, D]}, patches row-major over the grid (a strided view). */
    public Tensor patchTokens() {
        return patchTokens;
    }

    public int batch() {
        return plan.batch;
    }

    /** Np, the number of patch tokens per image. */
    public int patchCount() {
        return plan.patchCount;
    }

    /** True when {@link VisionTransformer#backward} can be called with this output. */
    public boolean trainable() {
        return plan.training;
    }

    /**
     * The softmax attention probabilities {@code [B, H, N, N]} of the last block (token order CLS,
     * registers, patches), for attention maps. Only valid until the next pass of this shape; not
     * available when the last block ran on a stochastic-depth subset.
     */
    public Tensor lastBlockAttention() {
        owner.requireCurrent(this);
        Block.Buffers last = plan.blockBuffers[plan.blockBuffers.length - 1];
        if (last.usesSubset()) {
            throw new IllegalStateException("the last block ran on a stochastic-depth subset of the batch: run an "
                    + "inference pass (forwardInference) for attention maps");
        }
        return last.attentionProbabilities();
    }
}
