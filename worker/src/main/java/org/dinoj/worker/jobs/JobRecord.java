package org.dinoj.worker.jobs;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;
import org.dinoj.workflows.CheckpointRef;
import org.dinoj.workflows.JobSpec;

/**
 * What the job registry remembers of one job, so that jobs survive the loss of an in-memory
 * Temporal server: the spec it was started with, where it stands and its latest global checkpoint,
 * and how a time budget sized it ({@code schedule}, null without one), which the job shows again
 * after a restart.
 */
// Fields a later dinoj adds are skipped: this one still reads (and restarts) the job.
@JsonIgnoreProperties(ignoreUnknown = true)
public record JobRecord(JobSpec spec, RegistryStatus status, CheckpointRef latestCheckpoint, Instant createdAt,
                        Instant updatedAt, String message, String schedule) {

    public enum RegistryStatus {
        RUNNING,
        PAUSED,
        COMPLETED,
        CANCELLED,
        FAILED;

        public boolean finished() {
            return this == COMPLETED || this == CANCELLED || this == FAILED;
        }
    }

    public String jobId() {
        return spec.jobId();
    }

    public JobRecord with(RegistryStatus newStatus, CheckpointRef checkpoint, String newMessage) {
        return new JobRecord(spec, newStatus, checkpoint != null ? checkpoint : latestCheckpoint, createdAt, Instant.now(),
                newMessage, schedule);
    }

    /** The record with a new status and message, at {@code checkpoint} even when that is null. */
    public JobRecord at(RegistryStatus newStatus, CheckpointRef checkpoint, String newMessage) {
        return new JobRecord(spec, newStatus, checkpoint, createdAt, Instant.now(), newMessage, schedule);
    }

    /** The record with a new spec and, unless null, a new schedule note. */
    public JobRecord withSpec(JobSpec newSpec, String newSchedule, String newMessage) {
        return new JobRecord(newSpec, status, latestCheckpoint, createdAt, Instant.now(), newMessage,
                newSchedule != null ? newSchedule : schedule);
    }
}
