package org.dinoj.workflows;

/** Life cycle of a pretraining job as the query and the search attributes report it. */
public enum JobStatus {
    RUNNING,
    PAUSING,
    PAUSED,
    CANCELLING,
    CANCELLED,
    COMPLETED
}
