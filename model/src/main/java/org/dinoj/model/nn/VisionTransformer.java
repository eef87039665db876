package org.dinoj.model.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.backend.Reduction;
import org.dinoj.model.tensor.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * dinov2's DinoVisionTransformer with explicit backward.
 * <pre>
 *   patches = PatchEmbed(images)                        [B, Np, D]
 *   patches = where(mask, mask_token, patches)          (iBOT masking, before position embeddings)
 *   x = [cls + pos[0], registers, patches + pos[1:]]    [B, 1 + R + Np, D] (pos resized bicubically
 *                                                        for grids other than the training one)
 *   x = blocks(x); out = norm(x)
 * </pre>
 * Activations live in a plan per input shape {@code (B, H, W, training)}, allocated on first use
 * and reused, so the steady state allocates nothing. A student can run a training pass on the
 * global crops and another on the local crops and then call backward for both: the two shapes
 * have separate plans. Backward ADDS to the parameter gradients ({@link #zeroGrad}).
 */
public final class VisionTransformer {
    private static final Logger LOG = LoggerFactory.getLogger(VisionTransformer.class);

    private final ViTConfig config;
    private final LayerContext context;
    private final Backend backend;
    private final int dim;
    private final int registers;
    private final int grid;
    private final Parameter clsToken;
    private final Parameter posEmbed;
    private final Parameter registerTokens;
    private final Parameter maskToken;
    private final PatchEmbed patchEmbed;
    private final Block[] blocks;
    private final LayerNorm norm;
    private final List<Parameter> parameters;
    private final Map<PlanKey, Plan> plans = new HashMap<>();

    private record PlanKey(int batch, int height, int width, boolean training) {
    }

    /** Buffers of every activation for one input shape. */
    static final class Plan {
        final int batch;
        final int height;
        final int width;
        final boolean training;
        final int patchCount;
        final long tokens;
        final PatchEmbed.Buffers patchBuffers;
        /** [B*Np, D] */
        final Tensor patchTokens;
        /** [B*Np, 1] the mask (1 = masked) and its complement of the latest masked pass. */
        final Tensor maskColumn;
        final Tensor keepColumn;
        boolean masked;
        /** Null when the grid is the training grid. */
        final BicubicPositionInterpolation interpolation;
        /** [Np, D] resized patch position embeddings; null without interpolation. */
        final Tensor positions;
        /** [1, 1, D] cls_token + pos_embed[0]. */
        final Tensor clsPosition;
        /** Residual stream [B*N, D]: training keeps every block's input (depth + 1), inference one in place. */
        final Tensor[] stream;
        final Block.Buffers[] blockBuffers;
        /** [B*N, D] final norm output. */
        final Tensor normed;
        final LayerNorm.Statistics normStatistics;
        final Tensor dNormed;
        final Tensor dStream;
        final Tensor dPatchTokens;
        final Tensor clsGradStep;
        final Tensor registerGradStep;
        final Tensor patchPositionGradStep;
        long generation;

        Plan(VisionTransformer vit, int batch, int height, int width, boolean training) {
            LayerContext c = vit.context;
            int d = vit.dim;
            this.batch = batch;
            this.height = height;
            this.width = width;
            this.training = training;
            this.patchBuffers = vit.patchEmbed.newBuffers(c, batch, height, width);
            this.patchCount = patchBuffers.gridHeight * patchBuffers.gridWidth;
            this.tokens = 1L + vit.registers + patchCount;
            long patchRows = (long) batch * patchCount;
            long rows = batch * tokens;
            this.patchTokens = c.tensor(patchRows, d);
            this.maskColumn = c.tensor(patchRows, 1);
            this.keepColumn = c.tensor(patchRows, 1);
            int gh = patchBuffers.gridHeight;
            int gw = patchBuffers.gridWidth;
            // dinov2 returns pos_embed unchanged only for the square training grid
            boolean sameGrid = gh == vit.grid && gw == vit.grid;
            this.interpolation = sameGrid ? null
                    : new BicubicPositionInterpolation(c, vit.grid, gh, gw, vit.config.interpolateOffset());
            this.positions = sameGrid ? null : c.tensor(patchCount, d);
            this.clsPosition = c.tensor(1, 1, d);
            Block.Scratch scratch = vit.blocks[0].newScratch(c, batch, tokens, training);
            int depth = vit.blocks.length;
            if (training) {
                this.stream = new Tensor[depth + 1];
                for (int i = 0; i <= depth; i++) {
                    stream[i] = c.tensor(rows, d);
                }
                this.blockBuffers = new Block.Buffers[depth];
                for (int i = 0; i < depth; i++) {
                    blockBuffers[i] = vit.blocks[i].newBuffers(c, batch, tokens, true, scratch);
                }
            } else {
                this.stream = new Tensor[] {c.tensor(rows, d)};
                Block.Buffers shared = vit.blocks[0].newBuffers(c, batch, tokens, false, scratch);
                this.blockBuffers = new Block.Buffers[depth];
                Arrays.fill(blockBuffers, shared);
            }
            this.normed = c.tensor(rows, d);
            this.normStatistics = LayerNorm.newStatistics(c, rows);
            this.dNormed = training ? c.tensor(rows, d) : null;
            this.dStream = training ? c.tensor(rows, d) : null;
            this.dPatchTokens = training ? c.tensor(patchRows, d) : null;
            this.clsGradStep = training ? c.tensor(1, 1, d) : null;
            this.registerGradStep = training && vit.registers > 0 ? c.tensor(1, vit.registers, d) : null;
            this.patchPositionGradStep = training ? c.tensor(1, patchCount, d) : null;
        }

        Tensor input() {
            return stream[0];
        }

        Tensor output() {
            return stream[stream.length - 1];
        }
    }

    /** Builds the model and initialises it as dinov2 does, from {@code seed}. */
    public VisionTransformer(LayerContext context, ViTConfig config, long seed) {
        this.config = config;
        this.context = context;
        this.backend = context.backend();
        this.dim = config.embedDim();
        this.registers = config.registerTokens();
        this.grid = config.gridSize();
        this.clsToken = context.parameter("cls_token", 1, 1, dim);
        this.posEmbed = context.parameter("pos_embed", 1, 1L + (long) grid * grid, dim);
        this.registerTokens = registers > 0 ? context.parameter("register_tokens", 1, registers, dim) : null;
        this.maskToken = context.parameter("mask_token", 1, dim);
        this.patchEmbed = new PatchEmbed(context, "patch_embed", config.inChannels(), config.patchSize(), dim);
        this.blocks = new Block[config.depth()];
        for (int i = 0; i < blocks.length; i++) {
            String prefix = "blocks." + i;
            FeedForward ffn = switch (config.ffn()) {
                case MLP -> new Mlp(context, prefix + ".mlp", dim, config.mlpHidden(), config.ffnBias());
                case SWIGLU_FUSED -> new SwiGluFfn(context, prefix + ".mlp", dim, config.mlpHidden(), config.ffnBias());
            };
            blocks[i] = new Block(context, prefix, dim, config.heads(), ffn, config.layerScaleInit(),
                    config.dropPathRate(), config.qkvBias(), config.projBias());
        }
        this.norm = new LayerNorm(context, "norm", dim, LayerNorm.DINOV2_EPS);
        List<Parameter> all = new ArrayList<>();
        all.add(clsToken);
        all.add(posEmbed);
        if (registerTokens != null) {
            all.add(registerTokens);
        }
        all.add(maskToken);
        all.addAll(patchEmbed.parameters());
        for (Block block : blocks) {
            all.addAll(block.parameters());
        }
        all.addAll(norm.parameters());
        this.parameters = List.copyOf(all);
        initialize(seed);
        LOG.debug("built {} with {} parameters", config.name(), Parameters.count(parameters));
    }

    /**
     * dinov2's init: pos_embed trunc_normal(0.02), cls_token and register_tokens normal(1e-6),
     * mask_token 0, patch projection PyTorch's conv default, every Linear trunc_normal(0.02) with
     * bias 0, LayerNorm 1/0, LayerScale gamma = layerScaleInit.
     */
    private void initialize(long seed) {
        RandomGenerator rng = new SplittableRandom(seed);
        ParameterInit.truncatedNormal(backend, posEmbed.value(), 0.02, rng);
        ParameterInit.normal(backend, clsToken.value(), 1e-6, rng);
        if (registerTokens != null) {
            ParameterInit.normal(backend, registerTokens.value(), 1e-6, rng);
        }
        backend.fill(maskToken.value(), 0f);
        patchEmbed.initTorchDefault(rng);
        for (Block block : blocks) {
            block.initTruncNormal(rng);
        }
    }

    public ViTConfig config() {
        return config;
    }

    /** Every parameter in state-dict order, keyed as dinov2's backbone (no {@code backbone.} prefix). */
    public List<Parameter> parameters() {
        return parameters;
    }

    /** Sets every gradient to zero; backward passes add to them. */
    public void zeroGrad() {
        Parameters.zeroGrad(backend, parameters);
    }

    /**
     * A training pass that keeps activations for {@link #backward}.
     *
     * @param images      {@code [B, C, H, W]} contiguous, H and W multiples of the patch size
     * @param masks       {@code [B, Np]} in the model dtype, 1 where the patch is replaced by the mask
     *                    token, 0 elsewhere; null for no masking
     * @param dropPathRng draws the stochastic-depth subsets; may be null when the drop path rate is 0
     */
    public ViTOutput forward(Tensor images, Tensor masks, RandomGenerator dropPathRng) {
        return run(images, masks, dropPathRng, true);
    }

    /** A pass without stochastic depth that keeps nothing for backward (teacher, evaluation). */
    public ViTOutput forwardInference(Tensor images, Tensor masks) {
        return run(images, masks, null, false);
    }

    private ViTOutput run(Tensor images, Tensor masks, RandomGenerator dropPathRng, boolean training) {
        if (images.rank() != 4) {
            throw new IllegalArgumentException("images " + images + " must be [B, C, H, W]");
        }
        Plan p = plan((int) images.size(0), (int) images.size(2), (int) images.size(3), training);
        p.generation++;
        if (training) {
            for (int i = 0; i < blocks.length; i++) {
                if (p.blockBuffers[i].usesSubset()) {
                    if (dropPathRng == null) {
                        throw new IllegalArgumentException("drop path rate " + config.dropPathRate()
                                + " needs a random generator for the training pass: pass dropPathRng");
                    }
                    blocks[i].sampleSubsets(p.blockBuffers[i], dropPathRng);
                }
            }
        }
        embed(p, images, masks);
        for (int i = 0; i < blocks.length; i++) {
            Tensor in = training ? p.stream[i] : p.stream[0];
            Tensor out = training ? p.stream[i + 1] : p.stream[0];
            blocks[i].forward(p.blockBuffers[i], in, out);
        }
        norm.forward(p.output(), p.normed, p.normStatistics);
        return output(p);
    }

    /** Patch embedding, masking, CLS, registers and position embeddings into the first stream buffer. */
    private void embed(Plan p, Tensor images, Tensor masks) {
        patchEmbed.forward(p.patchBuffers, images, p.patchTokens);
        p.masked = masks != null;
        if (masks != null) {
            if (masks.rank() != 2 || masks.size(0) != p.batch || masks.size(1) != p.patchCount) {
                throw new IllegalArgumentException("masks " + masks + " must be [" + p.batch + ", " + p.patchCount
                        + "] (batch, patches) for images " + images);
            }
            backend.copy(masks, p.maskColumn.view(p.batch, p.patchCount));
            backend.linear(p.maskColumn, -1f, 1f, p.keepColumn);
            backend.binary(BinaryOp.MUL, p.patchTokens, p.keepColumn, p.patchTokens);
            // [B*Np, 1] x [1, D]: adds mask_token to the masked rows
            backend.matmul(p.maskColumn, maskToken.value(), null, p.patchTokens, 1f, 1f);
        }
        Tensor x = p.input().view(p.batch, p.tokens, dim);
        backend.binary(BinaryOp.ADD, clsToken.value(), posEmbed.value().slice(1, 0, 1), p.clsPosition);
        backend.copy(Views.repeatDim0(p.clsPosition, p.batch), x.slice(1, 0, 1));
        if (registers > 0) {
            backend.copy(Views.repeatDim0(registerTokens.value(), p.batch), x.slice(1, 1, registers));
        }
        Tensor positions = patchPositions(posEmbed.value());
        if (p.interpolation != null) {
            p.interpolation.forward(positions.view((long) grid * grid, dim), p.positions);
            positions = p.positions.view(1, p.patchCount, dim);
        }
        backend.binary(BinaryOp.ADD, p.patchTokens.view(p.batch, p.patchCount, dim), positions,
                x.slice(1, 1 + registers, p.patchCount));
    }

    /**
     * Backward of a training pass. Gradients with respect to the outputs may be null (zero).
     *
     * @param out        the output of {@link #forward}, not yet overwritten by another pass of its shape
     * @param dCls       {@code [B, D]}
     * @param dRegisters {@code [B, R, D]}
     * @param dPatches   {@code [B, Np, D]}
     */
    public void backward(ViTOutput out, Tensor dCls, Tensor dRegisters, Tensor dPatches) {
        requireCurrent(out);
        Plan p = out.plan;
        if (!p.training) {
            throw new IllegalStateException("backward needs a training pass (forward), not forwardInference");
        }
        Tensor dNormed = p.dNormed.view(p.batch, p.tokens, dim);
        place(dCls, clsView(p.dNormed, p), "dCls");
        if (registers > 0) {
            place(dRegisters, dNormed.slice(1, 1, registers), "dRegisters");
        } else if (dRegisters != null) {
            throw new IllegalArgumentException("dRegisters " + dRegisters + " given for a model without register "
                    + "tokens: pass null");
        }
        place(dPatches, dNormed.slice(1, 1 + registers, p.patchCount), "dPatches");

        norm.backward(p.output(), p.normStatistics, p.dNormed, p.dStream);
        for (int i = blocks.length - 1; i >= 0; i--) {
            blocks[i].backward(p.blockBuffers[i], p.stream[i], p.dStream);
        }
        embedBackward(p);
    }

    private void embedBackward(Plan p) {
        Tensor dx = p.dStream.view(p.batch, p.tokens, dim);
        // cls token and its position embedding (broadcast over the batch: sum)
        backend.reduce(Reduction.SUM, dx.slice(1, 0, 1), p.clsGradStep);
        backend.binary(BinaryOp.ADD, clsToken.grad(), p.clsGradStep, clsToken.grad());
        Tensor clsPositionGrad = posEmbed.grad().slice(1, 0, 1);
        backend.binary(BinaryOp.ADD, clsPositionGrad, p.clsGradStep, clsPositionGrad);
        if (registers > 0) {
            backend.reduce(Reduction.SUM, dx.slice(1, 1, registers), p.registerGradStep);
            backend.binary(BinaryOp.ADD, registerTokens.grad(), p.registerGradStep, registerTokens.grad());
        }
        Tensor dPatchPart = dx.slice(1, 1 + registers, p.patchCount);
        backend.reduce(Reduction.SUM, dPatchPart, p.patchPositionGradStep);
        Tensor patchPositionGrad = patchPositions(posEmbed.grad());
        if (p.interpolation == null) {
            backend.binary(BinaryOp.ADD, patchPositionGrad, p.patchPositionGradStep, patchPositionGrad);
        } else {
            p.interpolation.backward(p.patchPositionGradStep.view(p.patchCount, dim),
                    patchPositionGrad.view((long) grid * grid, dim));
        }
        backend.copy(dPatchPart, p.dPatchTokens.view(p.batch, p.patchCount, dim));
        if (p.masked) {
            // masked rows took mask_token instead of their embedding
            backend.matmul(p.maskColumn.transpose(0, 1), p.dPatchTokens, null, maskToken.grad(), 1f, 1f);
            backend.binary(BinaryOp.MUL, p.dPatchTokens, p.keepColumn, p.dPatchTokens);
        }
        patchEmbed.backward(p.patchBuffers, p.dPatchTokens);
    }

    /** Copies a gradient into its place in dNormed, or zeroes the place when it is null. */
    private void place(Tensor gradient, Tensor target, String what) {
        if (gradient == null) {
            backend.fill(target, 0f);
            return;
        }
        if (!gradient.sameShape(target)) {
            throw new IllegalArgumentException(what + " " + gradient + " does not match the output shape "
                    + Arrays.toString(target.shape()));
        }
        backend.copy(gradient, target);
    }

    void requireCurrent(ViTOutput out) {
        if (out.owner != this) {
            throw new IllegalArgumentException("this output came from another VisionTransformer");
        }
        if (out.generation != out.plan.generation) {
            throw new IllegalStateException("another pass with input shape [" + out.plan.batch + ", "
                    + config.inChannels() + ", " + out.plan.height + ", " + out.plan.width + "] overwrote this "
                    + "output's activations: run backward before the next forward of the same shape");
        }
    }

    /** pos_embed's patch part {@code [1, M*M, D]} of a {@code [1, 1 + M*M, D]} tensor. */
    private Tensor patchPositions(Tensor positions) {
        return positions.slice(1, 1, (long) grid * grid);
    }

    private Tensor clsView(Tensor rows, Plan p) {
        return Views.strided(rows, 0, new long[] {p.batch, dim}, new long[] {p.tokens * dim, 1});
    }

    private ViTOutput output(Plan p) {
        Tensor tokens = p.normed.view(p.batch, p.tokens, dim);
        return new ViTOutput(this, p, p.generation, tokens, clsView(p.normed, p),
                registers > 0 ? tokens.slice(1, 1, registers) : null,
                tokens.slice(1, 1 + registers, p.patchCount));
    }

    private Plan plan(int batch, int height, int width, boolean training) {
        PlanKey key = new PlanKey(batch, height, width, training);
        Plan p = plans.get(key);
        if (p == null) {
            LOG.debug("planning {} buffers for [{}, {}, {}, {}]", training ? "training" : "inference", batch,
                    config.inChannels(), height, width);
            p = new Plan(this, batch, height, width, training);
            plans.put(key, p);
        }
        return p;
    }
}
