package org.dinoj.workflows;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The length a time budget holds, and in words what was chosen and measured, e.g. "32 epochs (3200
 * steps, 4 k-NN evaluation(s)), predicted to take 56.7 of the 59.4 minutes left (the configuration
 * said 70 epochs); measured 68.4 img/s (0.936 s a step), ...".
 *
 * @param minEpochs the shortest length the configuration allows (its warm-ups), which the workflow
 *     keeps if the job falls behind its deadline; 0 from sizings recorded before it was returned
 * @param evaluationSeconds what the measurement predicts one k-NN evaluation takes (0: none timed)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SizedSchedule(int epochs, String description, int minEpochs, double evaluationSeconds) {
}
