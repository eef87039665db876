package org.dinoj.model.nn;

import java.util.List;
import java.util.random.RandomGenerator;
import org.dinoj.model.tensor.Tensor;

/** The FFN of a transformer block: {@link Mlp} or {@link SwiGluFfn}, both {@code [rows, D] -> [rows, D]}. */
public sealed interface FeedForward permits Mlp, SwiGluFfn {

    /** What one forward pass keeps for its backward pass (a layer's own kind; see newBuffers). */
    interface Buffers {
    }

    /** Backward temporaries, shareable by every FFN of a model for one shape. */
    interface Scratch {
    }

    /** Backward scratch for up to {@code rows} rows. */
    Scratch newScratch(LayerContext context, long rows);

    /** Buffers for exactly {@code rows} rows; scratch may be null for inference-only use. */
    Buffers newBuffers(LayerContext context, long rows, Scratch scratch);

    /** x, y: {@code [rows, D]}. */
    void forward(Buffers buffers, Tensor x, Tensor y);

    /** From the forward input x and dy {@code [rows, D]}: writes dx, adds to the weight grads. */
    void backward(Buffers buffers, Tensor x, Tensor dy, Tensor dx);

    List<Parameter> parameters();

    /** dinov2's init_weights_vit_timm on every Linear. */
    void initTruncNormal(RandomGenerator rng);

    /** The hidden width (after any rounding rule). */
    int hiddenFeatures();
}
