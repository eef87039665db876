package org.dinoj.model.nn;

import java.util.List;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.tensor.Tensor;

/**
 * torch.nn.LayerNorm over the last axis with an affine weight (init 1) and bias (init 0). dinov2
 * uses eps 1e-6 throughout the backbone.
 */
public final class LayerNorm {
    public static final float DINOV2_EPS = 1e-6f;

    private final Backend backend;
    private final int dim;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;
    /** [D] gradients of one backward call, before they are added to the parameter grads. */
    private final Tensor weightGradStep;
    private final Tensor biasGradStep;

    /** The per-row mean and variance {@code [rows]} a forward pass saves for its backward pass. */
    public record Statistics(Tensor mean, Tensor variance) {
    }

    /** Parameters named {@code prefix.weight} and {@code prefix.bias}. */
    public LayerNorm(LayerContext context, String prefix, int dim, float eps) {
        this.backend = context.backend();
        this.dim = dim;
        this.eps = eps;
        this.weight = context.parameter(prefix + ".weight", dim);
        this.bias = context.parameter(prefix + ".bias", dim);
        this.weightGradStep = context.tensor(dim);
        this.biasGradStep = context.tensor(dim);
        backend.fill(weight.value(), 1f);
    }

    public static Statistics newStatistics(LayerContext context, long rows) {
        return new Statistics(context.statistics(rows), context.statistics(rows));
    }

    public int dim() {
        return dim;
    }

    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }

    /** x, y: {@code [rows, D]}; saves mean and variance into {@code stats}. */
    public void forward(Tensor x, Tensor y, Statistics stats) {
        backend.layerNormForward(x, weight.value(), bias.value(), eps, y, stats.mean(), stats.variance());
    }

    /** Writes dx {@code [rows, D]} and adds to weight.grad and bias.grad. */
    public void backward(Tensor x, Statistics stats, Tensor dy, Tensor dx) {
        backend.layerNormBackward(x, weight.value(), stats.mean(), stats.variance(), eps, dy, dx,
                weightGradStep, biasGradStep);
        backend.binary(BinaryOp.ADD, weight.grad(), weightGradStep, weight.grad());
        backend.binary(BinaryOp.ADD, bias.grad(), biasGradStep, bias.grad());
    }
}
