package org.dinoj.model.nn;

import java.util.List;
import java.util.random.RandomGenerator;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.tensor.Tensor;

/**
 * dinov2's multi-head self-attention: {@code qkv = Linear(D, 3D)}, per head
 * {@code softmax(q k^T / sqrt(hd)) v}, heads concatenated, {@code proj = Linear(D, D)}. The qkv
 * output channel {@code s*D + h*hd + d} holds part s (q, k, v) of head h, as in the dinov2 state
 * dict. q, k and v are strided views into the qkv buffer, never copied.
 */
public final class Attention {
    private final Backend backend;
    private final int dim;
    private final int heads;
    private final int headDim;
    private final float scale;
    /** True when the backend's fused attention replaces matmul, softmax, matmul (no [N, N] buffers). */
    private final boolean fused;
    private final Linear qkv;
    private final Linear proj;

    /** What one forward pass keeps for its backward pass, for a batch of {@code [B, N, D]}. */
    public static final class Buffers {
        final long batch;
        final long tokens;
        /** [B, N, 3D] */
        final Tensor qkv;
        /** [B, H, N, N] softmax probabilities (the attention map); null with fused attention. */
        final Tensor probabilities;
        /** [B, H, N] log-sum-exp of each query row's scores (fused attention only, else null). */
        final Tensor logSumExp;
        /** [B, N, D] heads concatenated, input of proj. */
        final Tensor context;
        final Scratch scratch;

        Buffers(long batch, long tokens, Tensor qkv, Tensor probabilities, Tensor logSumExp, Tensor context,
                Scratch scratch) {
            this.batch = batch;
            this.tokens = tokens;
            this.qkv = qkv;
            this.probabilities = probabilities;
            this.logSumExp = logSumExp;
            this.context = context;
            this.scratch = scratch;
        }

        /** The attention probabilities {@code [B, H, N, N]} of the latest forward pass. */
        public Tensor probabilities() {
            if (probabilities == null) {
                throw new IllegalStateException("this attention layer ran the backend's fused attention, which keeps "
                        + "no [B, H, N, N] probabilities; set DINOJ_CUDA_ATTENTION=composed to keep attention maps");
            }
            return probabilities;
        }
    }

    /** Backward temporaries, shareable by every attention layer of a model for one shape. */
    public static final class Scratch {
        final long rows;
        final Tensor dContext;
        final Tensor dQkv;
        /** [B, H, N, N] each, null with fused attention. */
        final Tensor dProbabilities;
        final Tensor dScores;

        Scratch(long rows, Tensor dContext, Tensor dQkv, Tensor dProbabilities, Tensor dScores) {
            this.rows = rows;
            this.dContext = dContext;
            this.dQkv = dQkv;
            this.dProbabilities = dProbabilities;
            this.dScores = dScores;
        }
    }

    /** Sub-layers named {@code prefix.qkv} and {@code prefix.proj}. */
    public Attention(LayerContext context, String prefix, int dim, int heads, boolean qkvBias, boolean projBias) {
        if (heads <= 0 || dim % heads != 0) {
            throw new IllegalArgumentException("attention " + prefix + ": embedding dim " + dim
                    + " is not divisible by " + heads + " heads; choose a head count that divides it");
        }
        this.backend = context.backend();
        this.dim = dim;
        this.heads = heads;
        this.headDim = dim / heads;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.fused = backend.fusesAttention(headDim);
        this.qkv = new Linear(context, prefix + ".qkv", dim, 3 * dim, qkvBias);
        this.proj = new Linear(context, prefix + ".proj", dim, dim, projBias);
    }

    public int heads() {
        return heads;
    }

    public List<Parameter> parameters() {
        return Parameters.concat(qkv.parameters(), proj.parameters());
    }

    public void initTruncNormal(RandomGenerator rng) {
        qkv.initTruncNormal(rng);
        proj.initTruncNormal(rng);
    }

    /** Backward scratch for up to {@code [B, N]} = {@code batch x tokens} (pass the largest batch that will use it). */
    public Scratch newScratch(LayerContext context, long batch, long tokens) {
        long rows = batch * tokens;
        return new Scratch(rows, context.tensor(batch, tokens, dim), context.tensor(batch, tokens, 3L * dim),
                fused ? null : context.tensor(batch, heads, tokens, tokens),
                fused ? null : context.tensor(batch, heads, tokens, tokens));
    }

    public Buffers newBuffers(LayerContext context, long batch, long tokens, Scratch scratch) {
        if (scratch != null && scratch.rows < batch * tokens) {
            throw new IllegalArgumentException("attention scratch for " + scratch.rows + " rows is too small for "
                    + batch + " x " + tokens + " tokens");
        }
        return new Buffers(batch, tokens, context.tensor(batch, tokens, 3L * dim),
                fused ? null : context.tensor(batch, heads, tokens, tokens),
                fused ? context.statistics(batch, heads, tokens) : null,
                context.tensor(batch, tokens, dim), scratch);
    }

    /** x, y: {@code [B*N, D]} (rows ordered by sample, then token). */
    public void forward(Buffers b, Tensor x, Tensor y) {
        Tensor qkvRows = Views.rows(b.qkv);
        qkv.forward(x, qkvRows);
        if (fused) {
            backend.attentionForward(b.qkv, heads, scale, b.context, b.logSumExp);
            proj.forward(Views.rows(b.context), y);
            return;
        }
        Tensor q = part(b.qkv, 0, b);
        Tensor k = part(b.qkv, 1, b);
        Tensor v = part(b.qkv, 2, b);
        backend.matmul(q, k.transpose(2, 3), null, b.probabilities, scale, 0f);
        backend.softmaxForward(b.probabilities, b.probabilities, false);
        backend.matmul(b.probabilities, v, headsView(b.context, b));
        proj.forward(Views.rows(b.context), y);
    }

    /** From the forward input x {@code [B*N, D]} and dy {@code [B*N, D]}: writes dx, adds to the weight grads. */
    public void backward(Buffers b, Tensor x, Tensor dy, Tensor dx) {
        Scratch s = b.scratch;
        if (s == null) {
            throw new IllegalStateException("attention buffers were planned for inference (no scratch): plan a "
                    + "training pass to run backward");
        }
        long rows = b.batch * b.tokens;
        Tensor dContext = Views.rows(s.dContext).slice(0, 0, rows);
        proj.backward(Views.rows(b.context), dy, dContext);
        Tensor dQkv = shaped(s.dQkv, b.batch, b.tokens, 3L * dim);
        if (fused) {
            backend.attentionBackward(b.qkv, b.context, b.logSumExp, shaped(s.dContext, b.batch, b.tokens, dim), heads,
                    scale, dQkv);
            qkv.backward(x, Views.rows(dQkv), dx);
            return;
        }
        Tensor dContextHeads = headsView(shaped(s.dContext, b.batch, b.tokens, dim), b);
        Tensor dProbabilities = shaped4(s.dProbabilities, b);
        Tensor dScores = shaped4(s.dScores, b);
        Tensor q = part(b.qkv, 0, b);
        Tensor k = part(b.qkv, 1, b);
        Tensor v = part(b.qkv, 2, b);
        // context = P v: dP = dC v^T, dv = P^T dC
        backend.matmul(dContextHeads, v.transpose(2, 3), dProbabilities);
        backend.matmul(b.probabilities.transpose(2, 3), dContextHeads, part(dQkv, 2, b));
        backend.softmaxBackward(b.probabilities, dProbabilities, dScores, false);
        // scores = scale q k^T: dq = scale dS k, dk = scale dS^T q
        backend.matmul(dScores, k, null, part(dQkv, 0, b), scale, 0f);
        backend.matmul(dScores.transpose(2, 3), q, null, part(dQkv, 1, b), scale, 0f);
        qkv.backward(x, Views.rows(dQkv), dx);
    }

    /** Part s (0 q, 1 k, 2 v) of a {@code [B, N, 3D]} buffer as {@code [B, H, N, hd]}. */
    private Tensor part(Tensor qkvBuffer, int s, Buffers b) {
        long n = b.tokens;
        return Views.strided(qkvBuffer, (long) s * dim, new long[] {b.batch, heads, n, headDim},
                new long[] {n * 3L * dim, headDim, 3L * dim, 1});
    }

    /** A {@code [B, N, D]} buffer as {@code [B, H, N, hd]}. */
    private Tensor headsView(Tensor buffer, Buffers b) {
        long n = b.tokens;
        return Views.strided(buffer, 0, new long[] {b.batch, heads, n, headDim},
                new long[] {n * dim, headDim, dim, 1});
    }

    /** The leading {@code batch * tokens * width} elements of a scratch buffer as {@code [B, N, width]}. */
    private static Tensor shaped(Tensor scratch, long batch, long tokens, long width) {
        return Views.rows(scratch).slice(0, 0, batch * tokens).view(batch, tokens, width);
    }

    private Tensor shaped4(Tensor scratch, Buffers b) {
        return scratch.view(-1).slice(0, 0, b.batch * heads * b.tokens * b.tokens)
                .view(b.batch, heads, b.tokens, b.tokens);
    }
}
