package org.dinoj.workflows;

/**
 * Size a job's schedule to what is left of its time budget, measured on the worker that runs it:
 * the longest {@code optim.epochs} whose predicted wall time (steps, checkpoints, rounds' starts,
 * evaluations) fits {@code secondsLeft}, the measurement's own time included.
 */
public record SizeScheduleRequest(String jobId, String config, String checkpointStore, double secondsLeft) {
}
