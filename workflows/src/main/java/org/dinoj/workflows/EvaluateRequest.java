package org.dinoj.workflows;

/**
 * k-NN evaluation of the teacher in {@code checkpoint}, reported as of {@code epoch}.
 * {@code checkpointStore} is the job's store (null in requests recorded before dinoj sent it): after
 * the evaluation the worker applies retention to the job's own checkpoints, which are then
 * between rounds and no longer need a round's start point.
 */
public record EvaluateRequest(String jobId, String config, CheckpointRef checkpoint, int epoch, String checkpointStore) {
    public EvaluateRequest(String jobId, String config, CheckpointRef checkpoint, int epoch) {
        this(jobId, config, checkpoint, epoch, null);
    }
}
