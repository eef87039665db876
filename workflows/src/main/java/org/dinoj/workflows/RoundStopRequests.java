package org.dinoj.workflows;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.common.converter.DefaultDataConverter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a running TrainRound learns that its job was asked to pause or cancel: the workflow publishes
 * the job's status as the {@code DinojStatus} search attribute, and the round reads it back through
 * DescribeWorkflowExecution, at most every quarter of its heartbeat timeout (50 ms to 2 s). A round
 * that sees {@link JobStatus#stopsRounds()} checkpoints and returns early.
 *
 * <p>The workflow does not cancel the activity for a pause or cancel: a RequestCancelActivityTask
 * command races with the round's own completion, and Temporal's Java test server (dinoj's embedded
 * server) then answers ACTIVITY_UNKNOWN and never schedules the workflow's next task, so the job
 * hangs (temporalio/sdk-java#2391). Reading the status has no such race: a round that completed
 * meanwhile is simply a completed round.
 *
 * <p>Activity-side code (it calls the service); not for use in workflow code.
 */
public final class RoundStopRequests {
    private static final Logger log = LoggerFactory.getLogger(RoundStopRequests.class);
    private static final Duration MIN_INTERVAL = Duration.ofMillis(50);
    private static final Duration MAX_INTERVAL = Duration.ofSeconds(2);

    private final ActivityExecutionContext context;
    private final long intervalNanos;
    private long nextCheckNanos;
    private boolean unavailableLogged;
    /** The service has no DescribeWorkflowExecution (an activity test environment): stop asking. */
    private boolean unimplemented;

    public RoundStopRequests(ActivityExecutionContext context) {
        this.context = context;
        this.intervalNanos = interval(context.getInfo().getHeartbeatTimeout()).toNanos();
        this.nextCheckNanos = System.nanoTime();
    }

    /** A quarter of the heartbeat timeout, within [50 ms, 2 s]; 1 s without a heartbeat timeout. */
    static Duration interval(Duration heartbeatTimeout) {
        if (heartbeatTimeout == null || heartbeatTimeout.isZero()) {
            return Duration.ofSeconds(1);
        }
        Duration quarter = heartbeatTimeout.dividedBy(4);
        return quarter.compareTo(MIN_INTERVAL) < 0 ? MIN_INTERVAL : quarter.compareTo(MAX_INTERVAL) > 0 ? MAX_INTERVAL : quarter;
    }

    /**
     * Whether the job asks its rounds to stop. Asks the service only when the interval has passed
     * since the last question, so it can be called every step; false when the service cannot say
     * (the round goes on, and a real stop request is seen at a later call).
     */
    public boolean requested() {
        long now = System.nanoTime();
        if (unimplemented || now - nextCheckNanos < 0) {
            return false;
        }
        nextCheckNanos = now + intervalNanos;
        JobStatus status = publishedStatus();
        return status != null && status.stopsRounds();
    }

    private JobStatus publishedStatus() {
        ActivityInfo info = context.getInfo();
        try {
            WorkflowClient client = context.getWorkflowClient();
            DescribeWorkflowExecutionResponse d = client.getWorkflowServiceStubs().blockingStub()
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                            .setNamespace(client.getOptions().getNamespace())
                            .setExecution(WorkflowExecution.newBuilder().setWorkflowId(info.getWorkflowId())
                                    .setRunId(info.getRunId()))
                            .build());
            Payload p = d.getWorkflowExecutionInfo().getSearchAttributes().getIndexedFieldsMap()
                    .get(DinojSearchAttributes.STATUS.getName());
            if (p == null) {
                return null;
            }
            String name = DefaultDataConverter.STANDARD_INSTANCE.fromPayload(p, String.class, String.class);
            return JobStatus.valueOf(name);
        } catch (StatusRuntimeException | UnsupportedOperationException | IllegalArgumentException e) {
            unimplemented = e instanceof UnsupportedOperationException || (e instanceof StatusRuntimeException s
                    && s.getStatus().getCode() == Status.Code.UNIMPLEMENTED);
            if (!unavailableLogged) {
                unavailableLogged = true;
                log.warn("workflow {}: cannot read the job's status for pause or cancel requests, training on: {}",
                        info.getWorkflowId(), e.toString());
            }
            return null;
        }
    }
}
