package org.dinoj.model.nn;

import java.util.List;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.backend.Reduction;
import org.dinoj.model.tensor.Tensor;

/** dinov2's LayerScale: {@code y = x * gamma} per channel, gamma {@code [D]} (init 1e-5 in training). */
public final class LayerScale {
    private final Backend backend;
    private final int dim;
    private final Parameter gamma;
    /** [1, D] gamma gradient of one backward call. */
    private final Tensor gammaGradStep;

    /** Parameter named {@code prefix.gamma}, filled with {@code initValue}. */
    public LayerScale(LayerContext context, String prefix, int dim, float initValue) {
        this.backend = context.backend();
        this.dim = dim;
        this.gamma = context.parameter(prefix + ".gamma", dim);
        this.gammaGradStep = context.tensor(1, dim);
        backend.fill(gamma.value(), initValue);
    }

    public Parameter gamma() {
        return gamma;
    }

    public List<Parameter> parameters() {
        return List.of(gamma);
    }

    /** x, y: {@code [rows, D]}. In place allowed. */
    public void forward(Tensor x, Tensor y) {
        backend.binary(BinaryOp.MUL, x, gamma.value().view(1, dim), y);
    }

    /**
     * From the forward input x {@code [rows, D]}: dx = dy * gamma, gamma.grad += column sums of
     * dy * x. {@code product} is scratch {@code [rows, D]}; dx may be dy (in place).
     */
    public void backward(Tensor x, Tensor dy, Tensor dx, Tensor product) {
        backend.binary(BinaryOp.MUL, dy, x, product);
        backend.reduce(Reduction.SUM, product, gammaGradStep);
        Tensor grad = gamma.grad().view(1, dim);
        backend.binary(BinaryOp.ADD, grad, gammaGradStep, grad);
        backend.binary(BinaryOp.MUL, dy, gamma.value().view(1, dim), dx);
    }
}
