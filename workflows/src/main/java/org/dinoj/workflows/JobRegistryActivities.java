package org.dinoj.workflows;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Records a job in dinoj's job registry beside its checkpoints (workflows do no file I/O). */
@ActivityInterface
public interface JobRegistryActivities {

    /** Idempotent: a job already in the registry is left as it is. */
    @ActivityMethod(name = "RegisterJob")
    void registerJob(JobSpec spec);

    /**
     * Replaces the spec of a job the registry holds (its schedule was sized to its time budget), so
     * that a restart from the registry keeps the length and shows {@code schedule}, how it was sized;
     * a job not in the registry is left out.
     */
    @ActivityMethod(name = "RecordJobSpec")
    void recordSpec(JobSpec spec, String schedule);
}
