package org.dinoj.workflows;

import java.util.Map;

/**
 * What a round reports of its last step: total loss and its terms (dino, ibot, koleo), learning
 * rate, teacher momentum and throughput.
 */
public record TrainingMetrics(long step, double loss, Map<String, Double> lossTerms, double learningRate,
                              double teacherMomentum, double imagesPerSecond) {
    public TrainingMetrics {
        lossTerms = lossTerms == null ? Map.of() : Map.copyOf(lossTerms);
    }
}
