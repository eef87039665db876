package org.dinoj.model.ssl;

import java.util.List;
import org.dinoj.model.backend.AdamWStep;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.ssl.ParameterGroups.GroupedParameter;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;

/**
 * torch.optim.AdamW over dinov2's parameter groups, with dinov2's {@code apply_optim_scheduler}:
 * each parameter steps with {@code lr = (lastLayer ? last_layer_lr : lr) * lr_multiplier} and
 * {@code weight_decay = wd * wd_multiplier}. The moments live beside each parameter (zeros at
 * first); the update itself is {@link Backend#adamw}. While the last layer is frozen (lr 0) its
 * moments still accumulate and its decay is 0, as in dinov2.
 */
public final class AdamW {
    private final Backend backend;
    private final List<GroupedParameter> parameters;
    private final Tensor[] firstMoments;
    private final Tensor[] secondMoments;
    private final float beta1;
    private final float beta2;
    private final float eps;
    private long stepCount;

    public AdamW(Backend backend, TensorAllocator allocator, List<GroupedParameter> parameters, double beta1,
                 double beta2, double eps) {
        this.backend = backend;
        this.parameters = List.copyOf(parameters);
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
        this.eps = (float) eps;
        int n = this.parameters.size();
        this.firstMoments = new Tensor[n];
        this.secondMoments = new Tensor[n];
        for (int i = 0; i < n; i++) {
            Tensor value = this.parameters.get(i).parameter().value();
            firstMoments[i] = allocator.allocate(value.dtype(), value.shape());
            secondMoments[i] = allocator.allocate(value.dtype(), value.shape());
            backend.fill(firstMoments[i], 0f);
            backend.fill(secondMoments[i], 0f);
        }
    }

    /** dinov2's optimizer: {@code optim.adamw_beta1/2} and torch's default eps 1e-8. */
    public AdamW(Backend backend, TensorAllocator allocator, List<GroupedParameter> parameters, OptimConfig optim) {
        this(backend, allocator, parameters, optim.adamwBeta1(), optim.adamwBeta2(), OptimConfig.ADAMW_EPS);
    }

    /**
     * One step of every parameter from its current gradient.
     *
     * @param lr the scheduled lr of this iteration (before multipliers)
     * @param weightDecay the scheduled weight decay (before multipliers)
     * @param lastLayerLr the scheduled last-layer lr (0 while frozen)
     */
    public void step(double lr, double weightDecay, double lastLayerLr) {
        long t = stepCount + 1;
        for (int i = 0; i < firstMoments.length; i++) {
            GroupedParameter g = parameters.get(i);
            double groupLr = (g.lastLayer() ? lastLayerLr : lr) * g.lrMultiplier();
            double groupWd = weightDecay * g.wdMultiplier();
            backend.adamw(g.parameter().value(), g.parameter().grad(), firstMoments[i], secondMoments[i],
                    new AdamWStep((float) groupLr, beta1, beta2, eps, (float) groupWd, t));
        }
        stepCount = t;
    }

    /** {@link #step(double, double, double)} with the values of one schedule lookup. */
    public void step(SslSchedules.Values values) {
        step(values.lr(), values.weightDecay(), values.lastLayerLr());
    }

    /** Steps taken so far (torch's per-parameter {@code step}; all parameters step together). */
    public long stepCount() {
        return stepCount;
    }

    /** Restores the step count with the moments from a checkpoint. */
    public void restoreStepCount(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("AdamW step count " + steps + " is negative");
        }
        this.stepCount = steps;
    }

    public List<GroupedParameter> parameters() {
        return parameters;
    }

    /** The first moment of parameter {@code index} (same order as {@link #parameters()}). */
    public Tensor firstMoment(int index) {
        return firstMoments[index];
    }

    /** The second moment of parameter {@code index}. */
    public Tensor secondMoment(int index) {
        return secondMoments[index];
    }
}
