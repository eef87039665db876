package org.dinoj.model.nn;

import java.util.List;
import java.util.random.RandomGenerator;
import org.dinoj.model.backend.Activation;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.tensor.Tensor;

/**
 * dinov2's SwiGLUFFNFused: {@code [x1, x2] = w12(x)}, {@code y = w3(silu(x1) * x2)}, with the
 * hidden width {@code h = (int(hidden * 2 / 3) + 7) / 8 * 8} for a requested {@code hidden}
 * (ViT-g: 4 * 1536 -> 4096).
 */
public final class SwiGluFfn implements FeedForward {
    private final Backend backend;
    private final int hidden;
    private final Linear w12;
    private final Linear w3;

    static final class SwiGluBuffers implements Buffers {
        final long rows;
        /** [rows, 2h]: x1 = [:, :h], x2 = [:, h:]. */
        final Tensor gateAndValue;
        /** [rows, h] silu(x1). */
        final Tensor gate;
        /** [rows, h] silu(x1) * x2, input of w3. */
        final Tensor gated;
        final SwiGluScratch scratch;

        SwiGluBuffers(long rows, Tensor gateAndValue, Tensor gate, Tensor gated, SwiGluScratch scratch) {
            this.rows = rows;
            this.gateAndValue = gateAndValue;
            this.gate = gate;
            this.gated = gated;
            this.scratch = scratch;
        }
    }

    static final class SwiGluScratch implements Scratch {
        final long rows;
        final Tensor dGated;
        final Tensor dGate;
        final Tensor dGateAndValue;

        SwiGluScratch(long rows, Tensor dGated, Tensor dGate, Tensor dGateAndValue) {
            this.rows = rows;
            this.dGated = dGated;
            this.dGate = dGate;
            this.dGateAndValue = dGateAndValue;
        }
    }

    /** dinov2's rounding of the requested hidden width for the fused SwiGLU. */
    public static int roundedHidden(int requestedHidden) {
        return ((int) (requestedHidden * 2.0 / 3.0) + 7) / 8 * 8;
    }

    /** Sub-layers named {@code prefix.w12} and {@code prefix.w3}; {@code requestedHidden} is rounded. */
    public SwiGluFfn(LayerContext context, String prefix, int dim, int requestedHidden, boolean bias) {
        this.backend = context.backend();
        this.hidden = roundedHidden(requestedHidden);
        this.w12 = new Linear(context, prefix + ".w12", dim, 2 * hidden, bias);
        this.w3 = new Linear(context, prefix + ".w3", hidden, dim, bias);
    }

    @Override
    public int hiddenFeatures() {
        return hidden;
    }

    @Override
    public List<Parameter> parameters() {
        return Parameters.concat(w12.parameters(), w3.parameters());
    }

    @Override
    public void initTruncNormal(RandomGenerator rng) {
        w12.initTruncNormal(rng);
        w3.initTruncNormal(rng);
    }

    @Override
    public Scratch newScratch(LayerContext context, long rows) {
        return new SwiGluScratch(rows, context.tensor(rows, hidden), context.tensor(rows, hidden),
                context.tensor(rows, 2L * hidden));
    }

    @Override
    public Buffers newBuffers(LayerContext context, long rows, Scratch scratch) {
        SwiGluScratch s = (SwiGluScratch) scratch;
        if (s != null && s.rows < rows) {
            throw new IllegalArgumentException("SwiGLU scratch for " + s.rows + " rows is too small for " + rows);
        }
        return new SwiGluBuffers(rows, context.tensor(rows, 2L * hidden), context.tensor(rows, hidden),
                context.tensor(rows, hidden), s);
    }

    @Override
    public void forward(Buffers buffers, Tensor x, Tensor y) {
        SwiGluBuffers b = (SwiGluBuffers) buffers;
        w12.forward(x, b.gateAndValue);
        backend.activationForward(Activation.SILU, b.gateAndValue.slice(1, 0, hidden), b.gate);
        backend.binary(BinaryOp.MUL, b.gate, b.gateAndValue.slice(1, hidden, hidden), b.gated);
        w3.forward(b.gated, y);
    }

    @Override
    public void backward(Buffers buffers, Tensor x, Tensor dy, Tensor dx) {
        SwiGluBuffers b = (SwiGluBuffers) buffers;
        SwiGluScratch s = b.scratch;
        if (s == null) {
            throw new IllegalStateException("SwiGLU buffers were planned for inference (no scratch): plan a "
                    + "training pass to run backward");
        }
        Tensor dGated = s.dGated.slice(0, 0, b.rows);
        Tensor dGate = s.dGate.slice(0, 0, b.rows);
        Tensor dGateAndValue = s.dGateAndValue.slice(0, 0, b.rows);
        w3.backward(b.gated, dy, dGated);
        // gated = gate * x2: dx2 = dGated * gate, dGate = dGated * x2, dx1 = silu'(x1) dGate
        backend.binary(BinaryOp.MUL, dGated, b.gate, dGateAndValue.slice(1, hidden, hidden));
        backend.binary(BinaryOp.MUL, dGated, b.gateAndValue.slice(1, hidden, hidden), dGate);
        backend.activationBackward(Activation.SILU, b.gateAndValue.slice(1, 0, hidden), dGate,
                dGateAndValue.slice(1, 0, hidden));
        w12.backward(x, dGateAndValue, dx);
    }
}
