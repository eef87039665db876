package org.dinoj.model.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.tensor.Tensor;

/**
 * dinov2's pre-norm transformer block:
 * <pre>
 *   x1  = x  + ls1(attn(norm1(x)))
 *   out = x1 + ls2(ffn(norm2(x1)))
 * </pre>
 * In training with a drop path rate, each residual branch runs on a random subset of the batch
 * and is added with the factor {@code B / k} ({@link StochasticDepth}); dinov2's training forward
 * (forward_nested on the crop list) does this for every rate above 0.
 */
public final class Block {
    private final Backend backend;
    private final int dim;
    private final double dropPathRate;
    private final LayerNorm norm1;
    private final Attention attn;
    private final LayerScale ls1;
    private final LayerNorm norm2;
    private final FeedForward ffn;
    private final LayerScale ls2;

    /** What one forward pass of a {@code [B, N, D]} batch keeps for its backward pass. */
    public static final class Buffers {
        final int batch;
        final long tokens;
        /** k: samples that run each residual branch; B without stochastic depth. */
        final int kept;
        final int[] subset1;
        final int[] subset2;
        final int[] permutation;
        /** [k*N, D] inputs of norm1 / norm2 gathered from the subset; null when k == B. */
        final Tensor gathered1;
        final Tensor gathered2;
        final Tensor normed1;
        final LayerNorm.Statistics stats1;
        final Attention.Buffers attention;
        /** [k*N, D] attention output (input of ls1). */
        final Tensor attentionOut;
        /** [B*N, D] x1 = x + attention branch. */
        final Tensor afterAttention;
        final Tensor normed2;
        final LayerNorm.Statistics stats2;
        final FeedForward.Buffers ffn;
        /** [k*N, D] FFN output (input of ls2). */
        final Tensor ffnOut;
        final Scratch scratch;

        Buffers(int batch, long tokens, int kept, Tensor gathered1, Tensor gathered2, Tensor normed1,
                LayerNorm.Statistics stats1, Attention.Buffers attention, Tensor attentionOut, Tensor afterAttention,
                Tensor normed2, LayerNorm.Statistics stats2, FeedForward.Buffers ffn, Tensor ffnOut, Scratch scratch) {
            this.batch = batch;
            this.tokens = tokens;
            this.kept = kept;
            this.subset1 = identity(kept);
            this.subset2 = identity(kept);
            this.permutation = new int[batch];
            this.gathered1 = gathered1;
            this.gathered2 = gathered2;
            this.normed1 = normed1;
            this.stats1 = stats1;
            this.attention = attention;
            this.attentionOut = attentionOut;
            this.afterAttention = afterAttention;
            this.normed2 = normed2;
            this.stats2 = stats2;
            this.ffn = ffn;
            this.ffnOut = ffnOut;
            this.scratch = scratch;
        }

        /** True when the residual branches run on a subset of the batch. */
        public boolean usesSubset() {
            return kept < batch;
        }

        public int keptSamples() {
            return kept;
        }

        /** Sets the samples of both branches (k distinct indices each); for tests and replays. */
        public void setSubsets(int[] attentionSubset, int[] ffnSubset) {
            if (attentionSubset.length != kept || ffnSubset.length != kept) {
                throw new IllegalArgumentException("subsets of " + attentionSubset.length + " and " + ffnSubset.length
                        + " samples for a block planned to keep " + kept + " of " + batch);
            }
            System.arraycopy(attentionSubset, 0, subset1, 0, kept);
            System.arraycopy(ffnSubset, 0, subset2, 0, kept);
        }

        /** Attention probabilities {@code [k, H, N, N]} of the latest forward pass (k = B without subset). */
        public Tensor attentionProbabilities() {
            return attention.probabilities();
        }

        private static int[] identity(int n) {
            int[] a = new int[n];
            for (int i = 0; i < n; i++) {
                a[i] = i;
            }
            return a;
        }
    }

    /**
     * Temporaries for one shape shared by every block of a model: the scaled residual of the
     * forward pass and, for training plans, the backward buffers.
     */
    public static final class Scratch {
        final long rows;
        final Tensor residual;
        final Tensor dBranch;
        final Tensor dBranchOut;
        final Tensor dNormed;
        final Tensor dInput;
        final Tensor product;
        final Attention.Scratch attention;
        final FeedForward.Scratch ffn;

        Scratch(long rows, Tensor residual, Tensor dBranch, Tensor dBranchOut, Tensor dNormed, Tensor dInput,
                Tensor product, Attention.Scratch attention, FeedForward.Scratch ffn) {
            this.rows = rows;
            this.residual = residual;
            this.dBranch = dBranch;
            this.dBranchOut = dBranchOut;
            this.dNormed = dNormed;
            this.dInput = dInput;
            this.product = product;
            this.attention = attention;
            this.ffn = ffn;
        }

        boolean training() {
            return dInput != null;
        }
    }

    /**
     * @param prefix          state-dict prefix, e.g. {@code blocks.3}
     * @param ffn             the block's FFN (named {@code prefix.mlp})
     * @param layerScaleInit  LayerScale gamma init; 0 means no LayerScale (Identity)
     * @param dropPathRate    stochastic-depth rate of training passes, in [0, 1)
     */
    public Block(LayerContext context, String prefix, int dim, int heads, FeedForward ffn, float layerScaleInit,
                 double dropPathRate, boolean qkvBias, boolean projBias) {
        if (dropPathRate < 0 || dropPathRate >= 1) {
            throw new IllegalArgumentException("block " + prefix + ": drop path rate " + dropPathRate
                    + " is outside [0, 1)");
        }
        this.backend = context.backend();
        this.dim = dim;
        this.dropPathRate = dropPathRate;
        this.norm1 = new LayerNorm(context, prefix + ".norm1", dim, LayerNorm.DINOV2_EPS);
        this.attn = new Attention(context, prefix + ".attn", dim, heads, qkvBias, projBias);
        this.ls1 = layerScaleInit > 0 ? new LayerScale(context, prefix + ".ls1", dim, layerScaleInit) : null;
        this.norm2 = new LayerNorm(context, prefix + ".norm2", dim, LayerNorm.DINOV2_EPS);
        this.ffn = ffn;
        this.ls2 = layerScaleInit > 0 ? new LayerScale(context, prefix + ".ls2", dim, layerScaleInit) : null;
    }

    /** State-dict order: norm1, attn, ls1, norm2, mlp, ls2. */
    public List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>(norm1.parameters());
        all.addAll(attn.parameters());
        if (ls1 != null) {
            all.addAll(ls1.parameters());
        }
        all.addAll(norm2.parameters());
        all.addAll(ffn.parameters());
        if (ls2 != null) {
            all.addAll(ls2.parameters());
        }
        return List.copyOf(all);
    }

    public void initTruncNormal(RandomGenerator rng) {
        attn.initTruncNormal(rng);
        ffn.initTruncNormal(rng);
    }

    public double dropPathRate() {
        return dropPathRate;
    }

    /** Scratch for {@code [B, N]}; training scratch includes the backward buffers. */
    public Scratch newScratch(LayerContext context, long batch, long tokens, boolean training) {
        long rows = batch * tokens;
        if (!training) {
            return new Scratch(rows, context.tensor(rows, dim), null, null, null, null, null, null, null);
        }
        return new Scratch(rows, context.tensor(rows, dim), context.tensor(rows, dim), context.tensor(rows, dim),
                context.tensor(rows, dim), context.tensor(rows, dim), context.tensor(rows, dim),
                attn.newScratch(context, batch, tokens), ffn.newScratch(context, rows));
    }

    /**
     * Buffers for a {@code [B, N, D]} batch. Training buffers of a block with a drop path rate
     * run each branch on {@code k = max(int(B (1 - rate)), 1)} samples.
     */
    public Buffers newBuffers(LayerContext context, int batch, long tokens, boolean training, Scratch scratch) {
        if (scratch.rows < batch * tokens) {
            throw new IllegalArgumentException("block scratch for " + scratch.rows + " rows is too small for " + batch
                    + " x " + tokens + " tokens");
        }
        if (training && !scratch.training()) {
            throw new IllegalArgumentException("training buffers need training scratch");
        }
        int kept = training && dropPathRate > 0 ? StochasticDepth.keptSamples(batch, dropPathRate) : batch;
        long keptRows = kept * tokens;
        boolean subset = kept < batch;
        return new Buffers(batch, tokens, kept,
                subset ? context.tensor(keptRows, dim) : null,
                subset ? context.tensor(keptRows, dim) : null,
                context.tensor(keptRows, dim), LayerNorm.newStatistics(context, keptRows),
                attn.newBuffers(context, kept, tokens, scratch.attention),
                context.tensor(keptRows, dim), context.tensor((long) batch * tokens, dim),
                context.tensor(keptRows, dim), LayerNorm.newStatistics(context, keptRows),
                ffn.newBuffers(context, keptRows, scratch.ffn),
                context.tensor(keptRows, dim), scratch);
    }

    /** Draws both branch subsets of the next forward pass (no-op without stochastic depth). */
    public void sampleSubsets(Buffers b, RandomGenerator rng) {
        if (b.usesSubset()) {
            StochasticDepth.sample(rng, b.batch, b.permutation, b.subset1);
            StochasticDepth.sample(rng, b.batch, b.permutation, b.subset2);
        }
    }

    /**
     * x, out: {@code [B*N, D]}. out may be x (in place) for buffers that will not run backward.
     */
    public void forward(Buffers b, Tensor x, Tensor out) {
        if (x == out && !b.scratch.training() && !b.usesSubset() && ls1 != null && ls2 != null) {
            forwardInPlace(b, x);
            return;
        }
        Tensor in1 = b.usesSubset() ? gather(x, b.subset1, b.gathered1, b.tokens) : x;
        norm1.forward(in1, b.normed1, b.stats1);
        attn.forward(b.attention, b.normed1, b.attentionOut);
        addResidual(b, x, b.attentionOut, ls1, b.subset1, b.afterAttention);

        Tensor in2 = b.usesSubset() ? gather(b.afterAttention, b.subset2, b.gathered2, b.tokens) : b.afterAttention;
        norm2.forward(in2, b.normed2, b.stats2);
        ffn.forward(b.ffn, b.normed2, b.ffnOut);
        addResidual(b, b.afterAttention, b.ffnOut, ls2, b.subset2, out);
    }

    /**
     * The inference pass in place on the residual stream x {@code [B*N, D]}: each branch's
     * LayerScale and residual add are one fused {@link Backend#addScaled}, so x is read and
     * written once per branch and afterAttention is not used.
     */
    private void forwardInPlace(Buffers b, Tensor x) {
        norm1.forward(x, b.normed1, b.stats1);
        attn.forward(b.attention, b.normed1, b.attentionOut);
        backend.addScaled(b.attentionOut, ls1.gamma().value().view(1, dim), x);
        norm2.forward(x, b.normed2, b.stats2);
        ffn.forward(b.ffn, b.normed2, b.ffnOut);
        backend.addScaled(b.ffnOut, ls2.gamma().value().view(1, dim), x);
    }

    /**
     * Backward from the forward input x {@code [B*N, D]}: {@code dStream} holds d(out) on entry and
     * d(x) on return (the residual stream's gradient is updated in place). Adds to the weight grads.
     */
    public void backward(Buffers b, Tensor x, Tensor dStream) {
        Scratch s = b.scratch;
        if (!s.training()) {
            throw new IllegalStateException("block buffers were planned for inference: plan a training pass to run "
                    + "backward");
        }
        Tensor in2 = b.usesSubset() ? b.gathered2 : b.afterAttention;
        Tensor dNormed2 = branchGradient(b, dStream, ls2, b.ffnOut, b.subset2);
        ffn.backward(b.ffn, b.normed2, dNormed2, lead(s.dNormed, b));
        norm2.backward(in2, b.stats2, lead(s.dNormed, b), lead(s.dInput, b));
        scatterAdd(b, lead(s.dInput, b), b.subset2, dStream);

        Tensor in1 = b.usesSubset() ? b.gathered1 : x;
        Tensor dNormed1 = branchGradient(b, dStream, ls1, b.attentionOut, b.subset1);
        attn.backward(b.attention, b.normed1, dNormed1, lead(s.dNormed, b));
        norm1.backward(in1, b.stats1, lead(s.dNormed, b), lead(s.dInput, b));
        scatterAdd(b, lead(s.dInput, b), b.subset1, dStream);
    }

    /** out = base + scale * ls(branch) on the subset rows (everything when there is no subset). */
    private void addResidual(Buffers b, Tensor base, Tensor branch, LayerScale ls, int[] subset, Tensor out) {
        Tensor residual = branch;
        Tensor scratch = lead(b.scratch.residual, b);
        if (ls != null) {
            ls.forward(branch, scratch);
            residual = scratch;
        }
        if (!b.usesSubset()) {
            backend.binary(BinaryOp.ADD, base, residual, out);
            return;
        }
        backend.linear(residual, (float) b.batch / b.kept, 0f, scratch);
        if (out != base) {
            backend.copy(base, out);
        }
        addSamples(scratch, subset, out, b.kept, b.tokens);
    }

    /** The gradient at the branch output (before LayerScale), given d(out of the residual add). */
    private Tensor branchGradient(Buffers b, Tensor dStream, LayerScale ls, Tensor branchOut, int[] subset) {
        Scratch s = b.scratch;
        Tensor dResidual = dStream;
        if (b.usesSubset()) {
            dResidual = gather(dStream, subset, lead(s.dBranch, b), b.tokens);
            backend.linear(dResidual, (float) b.batch / b.kept, 0f, dResidual);
        }
        if (ls == null) {
            return dResidual;
        }
        Tensor dBranchOut = lead(s.dBranchOut, b);
        ls.backward(branchOut, dResidual, dBranchOut, lead(s.product, b));
        return dBranchOut;
    }

    private void scatterAdd(Buffers b, Tensor dSubset, int[] subset, Tensor dStream) {
        if (!b.usesSubset()) {
            backend.binary(BinaryOp.ADD, dStream, dSubset, dStream);
            return;
        }
        addSamples(dSubset, subset, dStream, b.kept, b.tokens);
    }

    /** into[j] = x[subset[j]] for each sample j (rows [N, D] of [B*N, D]). */
    private Tensor gather(Tensor x, int[] subset, Tensor into, long tokens) {
        if (x.isContiguous() && into.isContiguous()) {
            backend.copyRows(samples(x, tokens), subset, samples(into, tokens), null, subset.length, false);
            return into;
        }
        for (int j = 0; j < subset.length; j++) {
            backend.copy(sample(x, subset[j], tokens), sample(into, j, tokens));
        }
        return into;
    }

    /** target[subset[j]] += source[j] for the first {@code kept} samples (subset entries are distinct). */
    private void addSamples(Tensor source, int[] subset, Tensor target, int kept, long tokens) {
        if (source.isContiguous() && target.isContiguous()) {
            backend.copyRows(samples(source, tokens), null, samples(target, tokens), subset, kept, true);
            return;
        }
        for (int j = 0; j < kept; j++) {
            Tensor t = sample(target, subset[j], tokens);
            backend.binary(BinaryOp.ADD, t, sample(source, j, tokens), t);
        }
    }

    /** Contiguous rows {@code [B*N, D]} seen as one row per sample: {@code [B, N*D]}. */
    private static Tensor samples(Tensor rows, long tokens) {
        return rows.view(-1, tokens * rows.size(-1));
    }

    /** Rows of sample i of a {@code [B*N, D]} tensor: {@code [N, D]}. */
    private static Tensor sample(Tensor rows, int i, long tokens) {
        return rows.slice(0, i * tokens, tokens);
    }

    /** The first k*N rows of a scratch buffer. */
    private static Tensor lead(Tensor scratch, Buffers b) {
        return scratch.slice(0, 0, b.kept * b.tokens);
    }
}
