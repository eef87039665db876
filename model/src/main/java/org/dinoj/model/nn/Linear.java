package org.dinoj.model.nn;

import java.util.List;
import java.util.random.RandomGenerator;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.backend.Reduction;
import org.dinoj.model.tensor.Tensor;

/**
 * {@code y = x W^T + b} as torch.nn.Linear: weight {@code [out, in]}, bias {@code [out]}.
 * Keeps no activations: the caller passes the forward input back to {@link #backward}.
 */
public final class Linear {
    private final Backend backend;
    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;
    /** [1, out]: the bias gradient of one backward call, before it is added to bias.grad. */
    private final Tensor biasGradStep;

    /** Parameters named {@code prefix.weight} and {@code prefix.bias}. */
    public Linear(LayerContext context, String prefix, int inFeatures, int outFeatures, boolean hasBias) {
        this.backend = context.backend();
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = context.parameter(prefix + ".weight", outFeatures, inFeatures);
        this.bias = hasBias ? context.parameter(prefix + ".bias", outFeatures) : null;
        this.biasGradStep = hasBias ? context.tensor(1, outFeatures) : null;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or null for a layer without one. */
    public Parameter bias() {
        return bias;
    }

    public List<Parameter> parameters() {
        return bias == null ? List.of(weight) : List.of(weight, bias);
    }

    /** dinov2's init_weights_vit_timm: weight trunc_normal(std 0.02), bias 0. */
    public void initTruncNormal(RandomGenerator rng) {
        ParameterInit.truncatedNormal(backend, weight.value(), 0.02, rng);
        if (bias != null) {
            backend.fill(bias.value(), 0f);
        }
    }

    /** PyTorch's nn.Linear default: weight and bias U(-1/sqrt(in), 1/sqrt(in)). */
    public void initTorchDefault(RandomGenerator rng) {
        ParameterInit.torchDefault(backend, weight.value(), inFeatures, rng);
        if (bias != null) {
            ParameterInit.torchDefault(backend, bias.value(), inFeatures, rng);
        }
    }

    /** x {@code [rows, in]} -> y {@code [rows, out]}. */
    public void forward(Tensor x, Tensor y) {
        backend.matmul(x, weight.value().transpose(0, 1), bias == null ? null : bias.value(), y, 1f, 0f);
    }

    /** Inference only: x {@code [rows, in]} -> y = act(x W^T + b) {@code [rows, out]} in one fused op. */
    public void forwardActivation(Tensor x, org.dinoj.model.backend.Activation activation, Tensor y) {
        backend.matmulActivation(x, weight.value().transpose(0, 1), bias == null ? null : bias.value(), activation, y);
    }

    /**
     * From the forward input x {@code [rows, in]} and dy {@code [rows, out]}: adds
     * {@code dy^T x} to weight.grad and the row sums of dy to bias.grad, and writes
     * dx {@code [rows, in]} unless dx is null (first layer on data).
     */
    public void backward(Tensor x, Tensor dy, Tensor dx) {
        backend.matmul(dy.transpose(0, 1), x, null, weight.grad(), 1f, 1f);
        if (bias != null) {
            backend.reduce(Reduction.SUM, dy, biasGradStep);
            Tensor grad = bias.grad().view(1, outFeatures);
            backend.binary(BinaryOp.ADD, grad, biasGradStep, grad);
        }
        if (dx != null) {
            backend.matmul(dy, weight.value(), dx);
        }
    }
}
