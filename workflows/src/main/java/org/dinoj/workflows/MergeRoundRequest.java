package org.dinoj.workflows;

import java.util.List;

/**
 * The DiLoCo outer step after a multi-shard round: the global student moves towards the mean of
 * the shard students (outer Nesterov SGD), the teacher and centering state become the shard means.
 */
public record MergeRoundRequest(String jobId, String config, String checkpointStore, int round,
                                CheckpointRef global, List<CheckpointRef> shardCheckpoints) {
    public MergeRoundRequest {
        shardCheckpoints = List.copyOf(shardCheckpoints);
    }
}
