package org.dinoj.worker.supervise;

import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a supervised worker when the process that started it is gone. Killed with SIGKILL (or by
 * the OOM killer), {@code dinoj pretrain} cannot stop its workers, and an orphan would go on
 * training a round nobody waits for, on the CPUs the next {@code dinoj pretrain} needs, and poll the
 * next embedded server on the same port beside that run's own workers. The worker stops as a
 * SIGKILL would stop it, which every round already survives: its last checkpoint stands.
 */
public final class ParentWatch {
    /** Exit status of a worker whose supervisor is gone. */
    public static final int PARENT_GONE = 3;
    private static final Logger LOG = LoggerFactory.getLogger(ParentWatch.class);

    private ParentWatch() {
    }

    /**
     * Halts this JVM once process {@code supervisorPid} has exited, or at once when it is gone already.
     * A process with that pid that started after this one is not the supervisor but a later process
     * that got its pid again: the supervisor is gone.
     */
    public static void haltWhenGone(long supervisorPid) {
        Optional<Instant> ownStart = ProcessHandle.current().info().startInstant();
        Optional<ProcessHandle> supervisor = ProcessHandle.of(supervisorPid).filter(ProcessHandle::isAlive)
                .filter(p -> startedBefore(p.info().startInstant(), ownStart));
        if (supervisor.isEmpty()) {
            halt(supervisorPid);
            return;
        }
        supervisor.get().onExit().thenRun(() -> halt(supervisorPid));
    }

    /** Whether a process that started at {@code start} can have started one that started at {@code child}; true when either is unknown. */
    static boolean startedBefore(Optional<Instant> start, Optional<Instant> child) {
        return start.isEmpty() || child.isEmpty() || !start.get().isAfter(child.get());
    }

    private static void halt(long supervisorPid) {
        LOG.warn("the supervising process {} is gone: this worker stops (its round resumes from its last"
                + " checkpoint when the job runs again)", supervisorPid);
        Runtime.getRuntime().halt(PARENT_GONE);
    }
}
