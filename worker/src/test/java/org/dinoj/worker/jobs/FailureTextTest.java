package org.dinoj.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.api.failure.v1.ApplicationFailureInfo;
import io.temporal.api.failure.v1.Failure;
import io.temporal.api.failure.v1.TimeoutFailureInfo;
import io.temporal.client.ActivityWorkerShutdownException;
import org.junit.jupiter.api.Test;

/** The reason a round's failed attempt shows in pretrain's retry line and 'jobs status'. */
class FailureTextTest {
    @Test
    void aTimeoutWithoutAMessageSaysWhatItMeans() {
        Failure heartbeat = Failure.newBuilder().setTimeoutFailureInfo(TimeoutFailureInfo.newBuilder()
                .setTimeoutType(TimeoutType.TIMEOUT_TYPE_HEARTBEAT)).build();
        assertThat(JobService.failureText(heartbeat)).isEqualTo("its worker stopped heartbeating (killed, or cut off from Temporal)");
        Failure startToClose = Failure.newBuilder().setTimeoutFailureInfo(TimeoutFailureInfo.newBuilder()
                .setTimeoutType(TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE)).build();
        assertThat(JobService.failureText(startToClose)).isEqualTo("it timed out (start_to_close)");
        assertThat(JobService.failureText(Failure.newBuilder().setMessage("disk full").build())).isEqualTo("disk full");
        assertThat(JobService.failureText(Failure.newBuilder().setCause(Failure.newBuilder().setMessage("inner")).build()))
                .isEqualTo("inner");
        assertThat(JobService.failureText(Failure.getDefaultInstance())).isEqualTo("no reason was recorded");
    }

    @Test
    void anAttemptEndedByTheSdkSaysHowNotWhichAttemptItWas() {
        // The SDK's ActivityCompletionExceptions carry only the workflow's and the activity's ids as their message.
        Failure shutdown = Failure.newBuilder().setMessage("WorkflowId=j5, RunId=r, ActivityType=TrainRound, ActivityId=a")
                .setApplicationFailureInfo(ApplicationFailureInfo.newBuilder()
                        .setType(ActivityWorkerShutdownException.class.getName())).build();
        assertThat(JobService.failureText(shutdown)).isEqualTo("its worker was shut down during the attempt (SIGTERM or Ctrl-C)");
        Failure own = Failure.newBuilder().setMessage("image folder /x does not exist")
                .setApplicationFailureInfo(ApplicationFailureInfo.newBuilder().setType("java.io.IOException")).build();
        assertThat(JobService.failureText(own)).isEqualTo("image folder /x does not exist");
    }
}
