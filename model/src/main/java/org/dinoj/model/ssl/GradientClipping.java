package org.dinoj.model.ssl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.Reduction;
import org.dinoj.model.nn.Parameter;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;

/**
 * dinov2's per-sub-module {@code clip_grad_norm_(clip_grad)}: for each student sub-module
 * (backbone, dino_head, ibot_head) the global L2 norm of all its gradients; when larger than the
 * limit, every gradient of that sub-module is scaled by {@code limit / (norm + 1e-6)}. The norms
 * also decide whether the step may go on: a non-finite norm means a non-finite gradient element.
 *
 * <p>Each gradient's sum of squares is one {@link Reduction#SUM_OF_SQUARES} into its slot of a
 * small buffer planned once, read back with one copy per call.
 */
public final class GradientClipping implements AutoCloseable {
    /** torch's {@code clip_grad_norm_} adds this to the norm before dividing. */
    public static final double NORM_EPS = 1e-6;

    private final Backend backend;
    private final String[] subModules;
    private final Tensor[][] grads;
    private final Tensor[][] sumSlots;
    private final HostReadback readback;
    private final double[] partials;
    private final double[] norms;

    /** @param subModules sub-module name -> its student parameters, in the order norms are reported */
    public GradientClipping(Backend backend, TensorAllocator allocator, Map<String, List<Parameter>> subModules) {
        this.backend = backend;
        this.subModules = subModules.keySet().toArray(String[]::new);
        this.grads = new Tensor[this.subModules.length][];
        this.sumSlots = new Tensor[this.subModules.length][];
        List<Tensor> all = new ArrayList<>();
        DType dtype = null;
        for (int s = 0; s < this.subModules.length; s++) {
            List<Parameter> params = subModules.get(this.subModules[s]);
            grads[s] = new Tensor[params.size()];
            for (int i = 0; i < params.size(); i++) {
                Tensor g = params.get(i).grad();
                if (dtype != null && g.dtype() != dtype) {
                    throw new IllegalArgumentException("gradients mix dtypes " + dtype + " and " + g.dtype() + " (at "
                            + params.get(i).name() + "); clipping plans one buffer and needs a single dtype");
                }
                dtype = g.dtype();
                grads[s][i] = g;
                all.add(g);
            }
        }
        Tensor buffer = allocator.allocate(dtype == null ? DType.F32 : dtype, Math.max(all.size(), 1));
        int slot = 0;
        for (int s = 0; s < grads.length; s++) {
            sumSlots[s] = new Tensor[grads[s].length];
            for (int i = 0; i < grads[s].length; i++) {
                long[] ones = new long[grads[s][i].rank()];
                Arrays.fill(ones, 1);
                sumSlots[s][i] = buffer.slice(0, slot++, 1).view(ones);
            }
        }
        this.readback = new HostReadback(backend, buffer);
        this.partials = new double[all.size()];
        this.norms = new double[this.subModules.length];
    }

    /**
     * Computes each sub-module's gradient norm, refuses the step if any is non-finite (before
     * touching a gradient), then clips those above {@code maxNorm}.
     *
     * @param step the training step, for the exception
     * @param maxNorm {@code optim.clip_grad}; 0 computes and checks the norms but clips nothing
     *     (dinov2 skips clipping when it is 0)
     * @return sub-module -> gradient norm before clipping
     * @throws NonFiniteStepException naming the first sub-module with a non-finite gradient
     */
    public Map<String, Double> clip(long step, double maxNorm) throws NonFiniteStepException {
        computeNorms();
        for (int s = 0; s < subModules.length; s++) {
            NonFiniteStepException.requireFiniteGradient(step, subModules[s], norms[s]);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (int s = 0; s < subModules.length; s++) {
            double coef = maxNorm / (norms[s] + NORM_EPS);
            if (maxNorm > 0 && coef < 1) {
                for (Tensor g : grads[s]) {
                    backend.linear(g, (float) coef, 0f, g);
                }
            }
            out.put(subModules[s], norms[s]);
        }
        return out;
    }

    private void computeNorms() {
        for (int s = 0; s < grads.length; s++) {
            for (int i = 0; i < grads[s].length; i++) {
                backend.reduce(Reduction.SUM_OF_SQUARES, grads[s][i], sumSlots[s][i]);
            }
        }
        readback.read(partials);
        int slot = 0;
        for (int s = 0; s < grads.length; s++) {
            double sum = 0;
            for (int i = 0; i < grads[s].length; i++) {
                sum += partials[slot++];
            }
            norms[s] = Math.sqrt(sum);
        }
    }

    @Override
    public void close() {
        readback.close();
    }
}
