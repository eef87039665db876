package org.dinoj.model.backend;

/**
 * The scalars of one AdamW update, as torch.optim.AdamW:
 * {@code p -= lr * wd * p; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)}.
 *
 * @param step the 1-based step count t used for bias correction
 */
public record AdamWStep(float lr, float beta1, float beta2, float eps, float weightDecay, long step) {
    public AdamWStep {
        if (step < 1) {
            throw new IllegalArgumentException("AdamW step count starts at 1, got " + step);
        }
    }
}
