package org.dinoj.workflows;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Records a job in dinoj's job registry beside its checkpoints (workflows do no file I/O). */
@ActivityInterface
public interface JobRegistryActivities {

    /** Idempotent: a job already in the registry is left as it is. */
    @ActivityMethod(name = "RegisterJob")
    void registerJob(JobSpec spec);
}
