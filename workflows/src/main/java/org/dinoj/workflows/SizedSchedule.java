package org.dinoj.workflows;

/**
 * The length a time budget holds, and in words what was chosen and measured, e.g. "32 epochs (3200
 * steps, 4 k-NN evaluation(s)), predicted to take 56.7 of the 59.4 minutes left (the configuration
 * said 70 epochs); measured 68.4 img/s (0.936 s a step), ...".
 */
public record SizedSchedule(int epochs, String description) {
}
