package org.dinoj.workflows;

/** k-NN evaluation of the teacher in {@code checkpoint}, reported as of {@code epoch}. */
public record EvaluateRequest(String jobId, String config, CheckpointRef checkpoint, int epoch) {
}
