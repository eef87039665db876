package org.dinoj.workflows;

/**
 * What happened to a round attempt besides training, for the heartbeat, the result and the
 * Temporal UI: where it resumed, refused non-finite steps and the recoveries they caused.
 *
 * @param resumedFromStep global step the attempt started from (0 = fresh initialisation)
 * @param resumedFrom where that state came from, e.g. "heartbeat checkpoint", "request", "fresh"
 * @param refusedSteps non-finite steps refused in this attempt
 * @param reopens times the session was reopened from its last good checkpoint after refusals in a row
 * @param learningRateScale factor this attempt applied to the learning rate (1 = unchanged)
 * @param lastEvent the most recent notable event in one sentence, or null
 */
public record RoundEvents(long resumedFromStep, String resumedFrom, int refusedSteps, int reopens,
                          double learningRateScale, String lastEvent) {
}
