package org.dinoj.worker.api;

import java.time.Instant;
import java.util.List;
import org.dinoj.worker.jobs.JobRecord;
import org.dinoj.worker.jobs.JobService;
import org.dinoj.workflows.CheckpointRef;
import org.dinoj.workflows.Progress;

/**
 * A job as the API shows it (schema Job of {@code openapi.yaml}): what the registry knows, where
 * the Temporal service stands, the workflow's progress query and, for one job, its running rounds
 * with their last heartbeats. Fields the service cannot give (an unknown workflow) are null.
 */
public record JobView(String jobId, String status, String serviceState, String configSummary, String checkpointStore,
                      CheckpointRef baseCheckpoint, CheckpointRef latestCheckpoint, Instant createdAt, Instant updatedAt,
                      String message, Progress progress, List<JobService.PendingRound> pendingRounds) {

    static JobView of(JobRecord r, JobService.ServiceState state, Progress progress,
                      List<JobService.PendingRound> rounds) {
        return new JobView(r.jobId(), r.status().name(), state == null ? null : state.name(), r.spec().configSummary(),
                r.spec().checkpointStore(), r.spec().baseCheckpoint(), r.latestCheckpoint(), r.createdAt(), r.updatedAt(),
                r.message(), progress, rounds);
    }
}
