package org.dinoj.workflows;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** One pretraining job: rounds of training, merges, evaluations, until the last epoch. */
@WorkflowInterface
public interface PretrainWorkflow {

    /**
     * Runs the job. {@code state} is null on a fresh start and carries counters and references when
     * the workflow continues as new.
     */
    @WorkflowMethod(name = "Pretrain")
    JobResult run(JobSpec spec, JobState state);

    /** Stops after the current step with a checkpoint, then waits for {@link #resume()}. */
    @SignalMethod(name = "pause")
    void pause();

    @SignalMethod(name = "resume")
    void resume();

    /** Stops after the current step with a checkpoint and ends the job as CANCELLED. */
    @SignalMethod(name = "cancel")
    void cancel();

    @QueryMethod(name = "progress")
    Progress progress();

    /** Changes the total number of epochs; returns the new total. */
    @UpdateMethod(name = "setEpochs")
    int setEpochs(int epochs);

    /**
     * Refuses a length shorter than the work done (IllegalArgumentException) and any length while a
     * time budget is still being sized (IllegalStateException); the refusal's failure type names which.
     */
    @UpdateValidatorMethod(updateName = "setEpochs")
    void validateSetEpochs(int epochs);
}
