package org.dinoj.workflows;

/** How a job ended: completed or cancelled, with its final checkpoint and evaluation. */
public record JobResult(String jobId, JobStatus status, long step, CheckpointRef finalCheckpoint, EvalResult lastEval,
                        TrainingMetrics lastMetrics) {
}
