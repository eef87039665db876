package org.dinoj.model.nn;

import java.util.List;
import java.util.random.RandomGenerator;
import org.dinoj.model.backend.Activation;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.tensor.Tensor;

/** dinov2's Mlp: {@code fc1 (D -> hidden) -> GELU (exact erf) -> fc2 (hidden -> D)}. */
public final class Mlp implements FeedForward {
    private final Backend backend;
    private final int hidden;
    private final Linear fc1;
    private final Linear fc2;

    static final class MlpBuffers implements Buffers {
        final long rows;
        /** [rows, hidden] fc1 output (GELU input); null in inference buffers, which fuse fc1 and GELU. */
        final Tensor preActivation;
        /** [rows, hidden] GELU output (fc2 input). */
        final Tensor activation;
        final MlpScratch scratch;

        MlpBuffers(long rows, Tensor preActivation, Tensor activation, MlpScratch scratch) {
            this.rows = rows;
            this.preActivation = preActivation;
            this.activation = activation;
            this.scratch = scratch;
        }
    }

    static final class MlpScratch implements Scratch {
        final long rows;
        /** [rows, hidden] gradient of the activation, then (in place) of the pre-activation. */
        final Tensor dHidden;

        MlpScratch(long rows, Tensor dHidden) {
            this.rows = rows;
            this.dHidden = dHidden;
        }
    }

    /** Sub-layers named {@code prefix.fc1} and {@code prefix.fc2}. */
    public Mlp(LayerContext context, String prefix, int dim, int hidden, boolean bias) {
        this.backend = context.backend();
        this.hidden = hidden;
        this.fc1 = new Linear(context, prefix + ".fc1", dim, hidden, bias);
        this.fc2 = new Linear(context, prefix + ".fc2", hidden, dim, bias);
    }

    @Override
    public int hiddenFeatures() {
        return hidden;
    }

    @Override
    public List<Parameter> parameters() {
        return Parameters.concat(fc1.parameters(), fc2.parameters());
    }

    @Override
    public void initTruncNormal(RandomGenerator rng) {
        fc1.initTruncNormal(rng);
        fc2.initTruncNormal(rng);
    }

    @Override
    public Scratch newScratch(LayerContext context, long rows) {
        return new MlpScratch(rows, context.tensor(rows, hidden));
    }

    @Override
    public Buffers newBuffers(LayerContext context, long rows, Scratch scratch) {
        MlpScratch s = (MlpScratch) scratch;
        if (s != null && s.rows < rows) {
            throw new IllegalArgumentException("MLP scratch for " + s.rows + " rows is too small for " + rows);
        }
        // Inference buffers (no scratch) run fc1 and GELU as one fused op: no pre-activation kept.
        return new MlpBuffers(rows, s == null ? null : context.tensor(rows, hidden), context.tensor(rows, hidden), s);
    }

    @Override
    public void forward(Buffers buffers, Tensor x, Tensor y) {
        MlpBuffers b = (MlpBuffers) buffers;
        if (b.scratch == null) {
            fc1.forwardActivation(x, Activation.GELU_ERF, b.activation);
        } else {
            fc1.forward(x, b.preActivation);
            backend.activationForward(Activation.GELU_ERF, b.preActivation, b.activation);
        }
        fc2.forward(b.activation, y);
    }

    @Override
    public void backward(Buffers buffers, Tensor x, Tensor dy, Tensor dx) {
        MlpBuffers b = (MlpBuffers) buffers;
        if (b.scratch == null) {
            throw new IllegalStateException("MLP buffers were planned for inference (no scratch): plan a training "
                    + "pass to run backward");
        }
        Tensor dHidden = b.scratch.dHidden.slice(0, 0, b.rows);
        fc2.backward(b.activation, dy, dHidden);
        backend.activationBackward(Activation.GELU_ERF, b.preActivation, dHidden, dHidden);
        fc1.backward(x, dHidden, dx);
    }
}
