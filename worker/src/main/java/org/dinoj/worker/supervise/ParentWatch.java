package org.dinoj.worker.supervise;

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

    /** Halts this JVM once process {@code supervisorPid} has exited, or at once when it is gone already. */
    public static void haltWhenGone(long supervisorPid) {
        Optional<ProcessHandle> supervisor = ProcessHandle.of(supervisorPid).filter(ProcessHandle::isAlive);
        if (supervisor.isEmpty()) {
            halt(supervisorPid);
            return;
        }
        supervisor.get().onExit().thenRun(() -> halt(supervisorPid));
    }

    private static void halt(long supervisorPid) {
        LOG.warn("the supervising process {} is gone: this worker stops (its round resumes from its last"
                + " checkpoint when the job runs again)", supervisorPid);
        Runtime.getRuntime().halt(PARENT_GONE);
    }
}
