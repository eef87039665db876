package org.dinoj.model.train;

import java.util.Map;

/**
 * What one optimizer step reports: the global step it completed, the total loss and its terms
 * (dino, ibot, koleo), the scheduled learning rate and teacher momentum, and throughput.
 */
public record StepResult(long step, double loss, Map<String, Double> lossTerms, double learningRate,
                         double teacherMomentum, double imagesPerSecond) {
    public StepResult {
        lossTerms = Map.copyOf(lossTerms);
    }
}
