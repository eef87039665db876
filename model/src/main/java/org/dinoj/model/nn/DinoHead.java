package org.dinoj.model.nn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.dinoj.model.backend.Activation;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.backend.Reduction;
import org.dinoj.model.tensor.Tensor;

/**
 * dinov2's DINOHead, also usable as a separate iBOT head:
 * <pre>
 *   z = mlp(x)                  Linear(D, hid) GELU Linear(hid, hid) GELU Linear(hid, bottleneck)
 *   z = z / max(||z||_2, eps)   over the last axis
 *   logits = z W^T,  W[k] = g[k] v[k] / ||v[k]||   (weight norm, no bias)
 * </pre>
 * Keys as dinov2: {@code mlp.0}, {@code mlp.2}, {@code mlp.4} (one layer: {@code mlp}),
 * {@code last_layer.weight_g [K, 1]} (trainable, init 1), {@code last_layer.weight_v [K, bottleneck]}.
 * Activations live in a plan per row count; iBOT callers pad the masked tokens to a fixed upper
 * bound (as dinov2 does) so that the plan is reused. The weight-normalised W is recomputed by
 * every forward pass (the parameters may have changed since). Each backward call turns its dW
 * into dg and dv at once; that map is linear in dW, so calls for CLS and for patch tokens add up
 * exactly. Backward ADDS to the parameter gradients.
 */
public final class DinoHead {
    private final DinoHeadConfig config;
    private final LayerContext context;
    private final Backend backend;
    private final Linear[] mlp;
    private final Parameter weightG;
    private final Parameter weightV;
    private final List<Parameter> parameters;
    /** [K] ||v[k]|| of the latest forward pass. */
    private final Tensor vNorm;
    /** [K, bottleneck] v / ||v||, then W = g v / ||v||. */
    private final Tensor vDirection;
    private final Tensor weight;
    /** [K, bottleneck] backward temporaries for dW and its products. */
    private final Tensor dWeight;
    private final Tensor dWeightProduct;
    /** [K, 1] weight_g gradient of one backward call. */
    private final Tensor gGradStep;
    private final Map<Long, Plan> plans = new HashMap<>();

    static final class Plan {
        final long rows;
        final boolean training;
        /** Per Linear: [rows, out] output; per hidden Linear also its GELU output. */
        final Tensor[] linearOut;
        final Tensor[] activation;
        final Tensor zNorm;
        final Tensor zNormalized;
        final Tensor logits;
        final Tensor dHiddenA;
        final Tensor dHiddenB;
        final Tensor dZNormalized;
        final Tensor dZ;
        final Tensor dInput;
        long generation;

        Plan(DinoHead head, long rows, boolean training) {
            LayerContext c = head.context;
            DinoHeadConfig cfg = head.config;
            this.rows = rows;
            this.training = training;
            int n = head.mlp.length;
            this.linearOut = new Tensor[n];
            this.activation = new Tensor[n];
            for (int i = 0; i < n; i++) {
                linearOut[i] = c.tensor(rows, head.mlp[i].outFeatures());
                if (i < n - 1) {
                    activation[i] = c.tensor(rows, head.mlp[i].outFeatures());
                }
            }
            this.zNorm = c.statistics(rows);
            this.zNormalized = c.tensor(rows, cfg.bottleneckDim());
            this.logits = c.tensor(rows, cfg.prototypes());
            this.dHiddenA = training && n > 1 ? c.tensor(rows, cfg.hiddenDim()) : null;
            this.dHiddenB = training && n > 2 ? c.tensor(rows, cfg.hiddenDim()) : null;
            this.dZNormalized = training ? c.tensor(rows, cfg.bottleneckDim()) : null;
            this.dZ = training ? c.tensor(rows, cfg.bottleneckDim()) : null;
            this.dInput = training ? c.tensor(rows, cfg.inDim()) : null;
        }
    }

    /** The logits of one forward pass; a view into the plan, valid until the next pass with as many rows. */
    public static final class Output {
        final DinoHead owner;
        final Plan plan;
        final long generation;
        final Tensor input;

        Output(DinoHead owner, Plan plan, long generation, Tensor input) {
            this.owner = owner;
            this.plan = plan;
            this.generation = generation;
            this.input = input;
        }

        /** {@code [rows, K]} */
        public Tensor logits() {
            return plan.logits;
        }

        /** The L2-normalised bottleneck features {@code [rows, bottleneck]}. */
        public Tensor normalizedBottleneck() {
            return plan.zNormalized;
        }
    }

    /** Builds the head and initialises it as dinov2 does from {@code seed}. */
    public DinoHead(LayerContext context, DinoHeadConfig config, long seed) {
        this.config = config;
        this.context = context;
        this.backend = context.backend();
        int n = config.layers();
        this.mlp = new Linear[n];
        for (int i = 0; i < n; i++) {
            int in = i == 0 ? config.inDim() : config.hiddenDim();
            int out = i == n - 1 ? config.bottleneckDim() : config.hiddenDim();
            // nn.Sequential indices skip the GELU modules: 0, 2, 4, ...; a single layer is `mlp` itself
            String name = n == 1 ? "mlp" : "mlp." + (2 * i);
            mlp[i] = new Linear(context, name, in, out, true);
        }
        this.weightG = context.parameter("last_layer.weight_g", config.prototypes(), 1);
        this.weightV = context.parameter("last_layer.weight_v", config.prototypes(), config.bottleneckDim());
        List<Parameter> all = new ArrayList<>();
        for (Linear linear : mlp) {
            all.addAll(linear.parameters());
        }
        all.add(weightG);
        all.add(weightV);
        this.parameters = List.copyOf(all);
        this.vNorm = context.statistics(config.prototypes());
        this.vDirection = context.tensor(config.prototypes(), config.bottleneckDim());
        this.weight = context.tensor(config.prototypes(), config.bottleneckDim());
        this.dWeight = context.tensor(config.prototypes(), config.bottleneckDim());
        this.dWeightProduct = context.tensor(config.prototypes(), config.bottleneckDim());
        this.gGradStep = context.tensor(config.prototypes(), 1);
        initialize(seed);
    }

    /**
     * MLP Linears trunc_normal(0.02) with bias 0; weight_v PyTorch's Linear default
     * U(-1/sqrt(bottleneck), 1/sqrt(bottleneck)) (last_layer is built after the init pass);
     * weight_g filled with 1.
     */
    private void initialize(long seed) {
        RandomGenerator rng = new SplittableRandom(seed);
        for (Linear linear : mlp) {
            linear.initTruncNormal(rng);
        }
        ParameterInit.torchDefault(backend, weightV.value(), config.bottleneckDim(), rng);
        backend.fill(weightG.value(), 1f);
    }

    public DinoHeadConfig config() {
        return config;
    }

    /** Every parameter in state-dict order, keyed without a {@code dino_head.} prefix. */
    public List<Parameter> parameters() {
        return parameters;
    }

    public void zeroGrad() {
        Parameters.zeroGrad(backend, parameters);
    }

    /** A training pass on x {@code [rows, D]}; x must stay unchanged until backward. */
    public Output forward(Tensor x) {
        return run(x, true);
    }

    /** A pass that keeps nothing for backward (teacher). */
    public Output forwardInference(Tensor x) {
        return run(x, false);
    }

    private Output run(Tensor x, boolean training) {
        if (x.rank() != 2 || x.size(1) != config.inDim()) {
            throw new IllegalArgumentException("DINO head input " + x + " must be [rows, " + config.inDim() + "]");
        }
        long rows = x.size(0);
        long key = training ? rows : -rows - 1;
        Plan p = plans.computeIfAbsent(key, k -> new Plan(this, rows, training));
        p.generation++;
        Tensor h = x;
        for (int i = 0; i < mlp.length; i++) {
            mlp[i].forward(h, p.linearOut[i]);
            if (i < mlp.length - 1) {
                backend.activationForward(Activation.GELU_ERF, p.linearOut[i], p.activation[i]);
                h = p.activation[i];
            }
        }
        backend.l2NormalizeForward(p.linearOut[mlp.length - 1], config.normEps(), p.zNormalized, p.zNorm);
        // weight norm without eps, as torch's _weight_norm
        backend.l2NormalizeForward(weightV.value(), 0f, vDirection, vNorm);
        backend.binary(BinaryOp.MUL, vDirection, weightG.value(), weight);
        backend.matmul(p.zNormalized, weight.transpose(0, 1), p.logits);
        return new Output(this, p, p.generation, x);
    }

    /** From dLogits {@code [rows, K]}: adds to the parameter grads and returns dx {@code [rows, D]} (a plan buffer). */
    public Tensor backward(Output out, Tensor dLogits) {
        if (out.owner != this) {
            throw new IllegalArgumentException("this output came from another DINO head");
        }
        Plan p = out.plan;
        if (!p.training) {
            throw new IllegalStateException("backward needs a training pass (forward), not forwardInference");
        }
        if (out.generation != p.generation) {
            throw new IllegalStateException("another pass with " + p.rows + " rows overwrote this output's "
                    + "activations: run backward before the next forward with as many rows");
        }
        if (!dLogits.sameShape(p.logits)) {
            throw new IllegalArgumentException("dLogits " + dLogits + " does not match the logits " + p.logits);
        }
        // logits = zn W^T
        backend.matmul(dLogits.transpose(0, 1), p.zNormalized, dWeight);
        backend.matmul(dLogits, weight, p.dZNormalized);
        // W = g * v / ||v||: dg = sum_j dW * v/||v||, d(v/||v||) = g dW
        backend.binary(BinaryOp.MUL, dWeight, vDirection, dWeightProduct);
        backend.reduce(Reduction.SUM, dWeightProduct, gGradStep);
        backend.binary(BinaryOp.ADD, weightG.grad(), gGradStep, weightG.grad());
        backend.binary(BinaryOp.MUL, dWeight, weightG.value(), dWeightProduct);
        backend.l2NormalizeBackward(vDirection, vNorm, 0f, dWeightProduct, dWeight);
        backend.binary(BinaryOp.ADD, weightV.grad(), dWeight, weightV.grad());

        backend.l2NormalizeBackward(p.zNormalized, p.zNorm, config.normEps(), p.dZNormalized, p.dZ);
        Tensor dOut = p.dZ;
        for (int i = mlp.length - 1; i >= 0; i--) {
            Tensor in = i == 0 ? out.input : p.activation[i - 1];
            Tensor dIn = i == 0 ? p.dInput : ((mlp.length - 1 - i) % 2 == 0 ? p.dHiddenA : p.dHiddenB);
            mlp[i].backward(in, dOut, dIn);
            if (i > 0) {
                backend.activationBackward(Activation.GELU_ERF, p.linearOut[i - 1], dIn, dIn);
            }
            dOut = dIn;
        }
        return p.dInput;
    }
}
