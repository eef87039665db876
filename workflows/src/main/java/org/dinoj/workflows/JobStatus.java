package org.dinoj.workflows;

/** Life cycle of a pretraining job as the query and the search attributes report it. */
public enum JobStatus {
    RUNNING,
    PAUSING,
    PAUSED,
    CANCELLING,
    CANCELLED,
    COMPLETED;

    /** Whether a running round stops early with a checkpoint when the job is in this status. */
    public boolean stopsRounds() {
        return this == PAUSING || this == CANCELLING;
    }
}
