package org.dinoj.model.data;

/**
 * A problem with the data that the user can fix (wrong path, empty or corrupt dataset). The
 * message is one sentence saying what was wrong, with which input, and what to do. Retried by the
 * orchestration (a dataset on a mount that is briefly gone comes back), but for {@link DatasetUnusableException}.
 */
public class DatasetException extends RuntimeException {
    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
