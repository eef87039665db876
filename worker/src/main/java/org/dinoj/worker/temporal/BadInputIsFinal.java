package org.dinoj.worker.temporal;

import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import io.temporal.failure.ApplicationFailure;
import org.dinoj.model.data.DatasetUnusableException;

/**
 * Makes every {@link IllegalArgumentException} an activity throws final, its subclasses included.
 * The workflows' retry policies name IllegalArgumentException as not to be retried, but Temporal
 * compares the failure's class name exactly: a {@code ConfigException} (bad input, which a retry
 * meets again) would otherwise be retried without end, and the job would hang instead of failing
 * with the sentence that says what to fix. Data that cannot serve the job as it stands ({@link
 * DatasetUnusableException}: too many damaged images, fewer images than a batch) is final too. Any
 * other {@code DatasetException} is not: a dataset on a network mount that is
 * briefly gone comes back, so it stays retried.
 */
final class BadInputIsFinal extends WorkerInterceptorBase {

    @Override
    public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
        return new ActivityInboundCallsInterceptorBase(next) {
            @Override
            public ActivityOutput execute(ActivityInput input) {
                try {
                    return super.execute(input);
                } catch (IllegalArgumentException e) {
                    if (e.getClass() == IllegalArgumentException.class) {
                        throw e;
                    }
                    throw ApplicationFailure.newNonRetryableFailureWithCause(e.getMessage(), e.getClass().getName(), e);
                } catch (DatasetUnusableException e) {
                    throw ApplicationFailure.newNonRetryableFailureWithCause(e.getMessage(), e.getClass().getName(), e);
                }
            }
        };
    }
}
