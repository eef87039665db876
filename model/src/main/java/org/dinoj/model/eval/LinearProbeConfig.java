package org.dinoj.model.eval;

/**
 * One point of the linear-probe grid: SGD learning rate (peak of the cosine schedule; 0 keeps the
 * zero initialisation, a chance-level reference) and L2 weight decay on the weights (not the bias).
 */
public record LinearProbeConfig(double learningRate, double weightDecay) {
    public LinearProbeConfig {
        if (!(learningRate >= 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("linear-probe learning rate " + learningRate + " must be a finite number >= 0");
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("linear-probe weight decay " + weightDecay + " must be a finite number >= 0");
        }
    }
}
