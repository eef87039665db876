package org.dinoj.model.nn;

import java.util.List;
import java.util.random.RandomGenerator;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.backend.Reduction;
import org.dinoj.model.tensor.Tensor;

/**
 * dinov2's PatchEmbed, {@code Conv2d(C, D, kernel p, stride p)}, computed as one matmul over the
 * unfolded image: {@code [B, C, H, W] -> [B*Np, C*p*p]} with columns in the order (c, i, j) of the
 * flattened torch conv weight {@code [D, C, p, p]}, and patches row-major over the grid. The
 * weight is stored as {@code [D, C, p, p]} so it loads from and saves to torch state dicts as is.
 */
public final class PatchEmbed {
    private final Backend backend;
    private final int channels;
    private final int patch;
    private final int dim;
    private final Parameter weight;
    private final Parameter bias;
    /** [1, D] bias gradient of one backward call. */
    private final Tensor biasGradStep;

    /** The unfolded images {@code [B*Np, C*p*p]} of one forward pass. */
    public static final class Buffers {
        final int batch;
        final int gridHeight;
        final int gridWidth;
        final Tensor unfolded;

        Buffers(int batch, int gridHeight, int gridWidth, Tensor unfolded) {
            this.batch = batch;
            this.gridHeight = gridHeight;
            this.gridWidth = gridWidth;
            this.unfolded = unfolded;
        }
    }

    /** Parameters named {@code prefix.proj.weight} {@code [D, C, p, p]} and {@code prefix.proj.bias}. */
    public PatchEmbed(LayerContext context, String prefix, int channels, int patch, int dim) {
        this.backend = context.backend();
        this.channels = channels;
        this.patch = patch;
        this.dim = dim;
        this.weight = context.parameter(prefix + ".proj.weight", dim, channels, patch, patch);
        this.bias = context.parameter(prefix + ".proj.bias", dim);
        this.biasGradStep = context.tensor(1, dim);
    }

    public int patchSize() {
        return patch;
    }

    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }

    /** PyTorch's Conv2d default (dinov2 keeps it): U(-1/sqrt(C p p), 1/sqrt(C p p)) for weight and bias. */
    public void initTorchDefault(RandomGenerator rng) {
        long fanIn = (long) channels * patch * patch;
        ParameterInit.torchDefault(backend, weight.value(), fanIn, rng);
        ParameterInit.torchDefault(backend, bias.value(), fanIn, rng);
    }

    /** Buffers for images {@code [B, C, H, W]}; H and W must be multiples of the patch size. */
    public Buffers newBuffers(LayerContext context, int batch, int height, int width) {
        if (height % patch != 0 || width % patch != 0) {
            throw new IllegalArgumentException("image size " + height + "x" + width + " is not a multiple of the patch "
                    + "size " + patch + ": choose crop sizes divisible by it (e.g. 98 instead of 96 for patch 14)");
        }
        int gh = height / patch;
        int gw = width / patch;
        return new Buffers(batch, gh, gw, context.tensor((long) batch * gh * gw, (long) channels * patch * patch));
    }

    /** images {@code [B, C, H, W]} (contiguous) -> out {@code [B*Np, D]}. */
    public void forward(Buffers b, Tensor images, Tensor out) {
        long[] s = images.shape();
        if (s.length != 4 || s[0] != b.batch || s[1] != channels || s[2] != (long) b.gridHeight * patch
                || s[3] != (long) b.gridWidth * patch) {
            throw new IllegalArgumentException("images " + images + " do not match the planned [" + b.batch + ", "
                    + channels + ", " + b.gridHeight * patch + ", " + b.gridWidth * patch + "]");
        }
        // [B, C, Gh, p, Gw, p] -> [B, Gh, Gw, C, p, p]: one strided copy does the unfold.
        Tensor patches = images.view(b.batch, channels, b.gridHeight, patch, b.gridWidth, patch)
                .permute(0, 2, 4, 1, 3, 5);
        backend.copy(patches, b.unfolded.view(b.batch, b.gridHeight, b.gridWidth, channels, patch, patch));
        backend.matmul(b.unfolded, flatWeight(weight.value()).transpose(0, 1), bias.value(), out, 1f, 0f);
    }

    /** Adds {@code dOut^T unfolded} to weight.grad and the row sums of dOut {@code [B*Np, D]} to bias.grad. */
    public void backward(Buffers b, Tensor dOut) {
        backend.matmul(dOut.transpose(0, 1), b.unfolded, null, flatWeight(weight.grad()), 1f, 1f);
        backend.reduce(Reduction.SUM, dOut, biasGradStep);
        Tensor grad = bias.grad().view(1, dim);
        backend.binary(BinaryOp.ADD, grad, biasGradStep, grad);
    }

    private Tensor flatWeight(Tensor w) {
        return w.view(dim, (long) channels * patch * patch);
    }
}
