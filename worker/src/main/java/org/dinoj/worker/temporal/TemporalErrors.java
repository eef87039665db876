package org.dinoj.worker.temporal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Optional;

/** What a failed call to Temporal means, from the gRPC status the SDK's exceptions wrap. */
public final class TemporalErrors {
    private TemporalErrors() {
    }

    /** The gRPC failure {@code e} is or wraps (in a WorkflowServiceException, a ScheduleException, ...). */
    public static Optional<StatusRuntimeException> grpcCause(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof StatusRuntimeException grpc) {
                return Optional.of(grpc);
            }
        }
        return Optional.empty();
    }

    /** The gRPC status code of {@code e}, if it wraps one. */
    public static Optional<Status.Code> code(Throwable e) {
        return grpcCause(e).map(g -> g.getStatus().getCode());
    }

    /** Whether the service itself does not answer now (restarting, a network cut): a watcher waits for it. */
    public static boolean isOutage(Throwable e) {
        return code(e).filter(c -> c == Status.Code.UNAVAILABLE).isPresent();
    }

    /**
     * Whether a query got no answer: a running workflow answers only through a worker polling its task
     * queue (none: FAILED_PRECONDITION; one busy or restarting: DEADLINE_EXCEEDED), and a slow service
     * also ends in DEADLINE_EXCEEDED. A watcher waits for an answer.
     */
    public static boolean isUnanswered(Throwable e) {
        return code(e).filter(c -> c == Status.Code.FAILED_PRECONDITION || c == Status.Code.DEADLINE_EXCEEDED).isPresent();
    }
}
