package org.dinoj.workflows;

import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.common.RetryOptions;
import io.temporal.common.SearchAttributeKey;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import org.slf4j.Logger;

/**
 * Starts the job of this firing and returns once it runs. Deterministic: the job's time is the
 * schedule's {@code TemporalScheduledStartTime} where a Temporal Schedule started this workflow,
 * else the workflow clock (a cron run starts at its scheduled minute).
 */
public final class ScheduledPretrainWorkflowImpl implements ScheduledPretrainWorkflow {
    private static final Logger log = Workflow.getLogger(ScheduledPretrainWorkflowImpl.class);
    /** Set by Temporal Schedules on the workflows they start. */
    static final SearchAttributeKey<OffsetDateTime> SCHEDULED_START_TIME =
            SearchAttributeKey.forOffsetDateTime("TemporalScheduledStartTime");

    @Override
    public String run(ScheduledJob job) {
        JobSpec spec = job.jobAt(scheduledTime());
        JobRegistryActivities registry = Workflow.newActivityStub(JobRegistryActivities.class, ActivityOptions.newBuilder()
                .setTaskQueue(spec.activities().taskQueue())
                .setStartToCloseTimeout(Duration.ofMinutes(1))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumInterval(Duration.ofSeconds(30)).build())
                .build());
        registry.registerJob(spec);
        PretrainWorkflow child = Workflow.newChildWorkflowStub(PretrainWorkflow.class, ChildWorkflowOptions.newBuilder()
                .setWorkflowId(spec.jobId())
                .setTaskQueue(spec.activities().taskQueue())
                .setStaticSummary(TemporalUiText.summary(spec))
                .setStaticDetails(TemporalUiText.details(spec))
                // The job keeps training after this workflow ends; the next firing starts another.
                .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                .build());
        Async.function(child::run, spec, (JobState) null);
        try {
            Workflow.getWorkflowExecution(child).get();
            log.info("schedule {} started job {}", job.scheduleId(), spec.jobId());
        } catch (ChildWorkflowFailure alreadyStarted) {
            // This firing ran before (a retried workflow task, or a second firing in the same minute).
            log.info("schedule {}: job {} was already started ({})", job.scheduleId(), spec.jobId(),
                    alreadyStarted.getMessage());
        }
        return spec.jobId();
    }

    private static Instant scheduledTime() {
        OffsetDateTime scheduled = Workflow.getTypedSearchAttributes().get(SCHEDULED_START_TIME);
        return scheduled != null ? scheduled.toInstant() : Instant.ofEpochMilli(Workflow.currentTimeMillis());
    }
}
