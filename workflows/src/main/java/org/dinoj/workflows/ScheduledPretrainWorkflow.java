package org.dinoj.workflows;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * What a schedule fires: starts one pretraining job (a child {@link PretrainWorkflow} that outlives
 * it) and ends. A Temporal Schedule runs it on a real cluster; on the embedded server, which has no
 * Schedules, it runs as a cron workflow. Either way the job is the same.
 */
@WorkflowInterface
public interface ScheduledPretrainWorkflow {

    /** Returns the id of the job it started (or found already started for this time). */
    @WorkflowMethod(name = "ScheduledPretrain")
    String run(ScheduledJob job);
}
