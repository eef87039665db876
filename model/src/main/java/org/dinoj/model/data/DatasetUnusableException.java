package org.dinoj.model.data;

/**
 * The data, as it stands, cannot serve the job, and a retry of the same work meets it again (too
 * many damaged files, fewer images than one batch): the orchestration fails the job with this
 * sentence instead of retrying. A folder that is gone or unreadable stays a plain, retried
 * {@link DatasetException}, since a mount that is gone comes back.
 */
public class DatasetUnusableException extends DatasetException {
    public DatasetUnusableException(String message) {
        super(message);
    }
}
