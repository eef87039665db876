package org.dinoj.worker.temporal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Optional;

/**
 * Whether a failed call to Temporal means the service is not answering now (restarting, network cut)
 * rather than refusing the call: a watcher waits through such an outage, as the workers do.
 */
public final class TemporalOutage {
    private TemporalOutage() {
    }

    /** The gRPC status of the outage {@code e} reports (itself or a cause), if it is one. */
    public static Optional<Status.Code> of(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof StatusRuntimeException grpc) {
                Status.Code code = grpc.getStatus().getCode();
                return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED
                        ? Optional.of(code) : Optional.empty();
            }
        }
        return Optional.empty();
    }
}
