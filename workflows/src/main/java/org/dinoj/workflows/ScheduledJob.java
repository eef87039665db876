package org.dinoj.workflows;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A periodic pretraining job: every firing of the schedule starts a new job from {@code template},
 * with its own id {@code <scheduleId>-<yyyyMMdd-HHmm>} (UTC, the scheduled time) and its own
 * checkpoint store {@code <checkpointRoot>/<job id>}.
 *
 * @param scheduleId letters, digits, '.', '_' and '-' (it prefixes job ids)
 * @param template the job to run each time; its id and checkpoint store are replaced per run
 * @param checkpointRoot URI of the directory that holds the job directories and the registry
 */
public record ScheduledJob(String scheduleId, JobSpec template, String checkpointRoot) {
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyyMMdd-HHmm").withZone(ZoneOffset.UTC);

    public ScheduledJob {
        if (scheduleId == null || !scheduleId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,100}")) {
            throw new IllegalArgumentException("schedule id '" + scheduleId + "' must be 1-101 letters, digits, '.', '_'"
                    + " or '-', starting with a letter or digit");
        }
        if (template == null || checkpointRoot == null || checkpointRoot.isBlank()) {
            throw new IllegalArgumentException("a scheduled job needs a template job and a checkpoint root");
        }
    }

    /** The id of the run scheduled at {@code time}: one job per minute at most. */
    public String jobIdAt(Instant time) {
        return scheduleId + "-" + MINUTE.format(time);
    }

    /** The job that runs at {@code time}. */
    public JobSpec jobAt(Instant time) {
        String jobId = jobIdAt(time);
        String root = checkpointRoot.endsWith("/") ? checkpointRoot : checkpointRoot + "/";
        // No trailing '/': the form of a job started by hand or through the API (JobSpecs).
        return template.forJob(jobId, root + jobId);
    }
}
