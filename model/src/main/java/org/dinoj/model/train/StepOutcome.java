package org.dinoj.model.train;

import java.util.Map;
import org.dinoj.model.ssl.SslLossTerms;
import org.dinoj.model.ssl.SslSchedules;

/**
 * What one applied DINOv2 step computed.
 *
 * @param terms         the loss terms (dinov2's unweighted values)
 * @param loss          the back-propagated total loss
 * @param gradientNorms sub-module -> global gradient L2 norm before clipping
 * @param schedule      the scheduled values the step used
 * @param maskedPatches M, the masked patch tokens of this batch
 */
public record StepOutcome(SslLossTerms terms, double loss, Map<String, Double> gradientNorms,
                          SslSchedules.Values schedule, int maskedPatches) {
    public StepOutcome {
        gradientNorms = Map.copyOf(gradientNorms);
    }
}
