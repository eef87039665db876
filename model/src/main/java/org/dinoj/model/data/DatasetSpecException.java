package org.dinoj.model.data;

/**
 * A dataset spec that can never open, whatever the file system does: an unknown kind, a missing
 * path, a malformed {@code synthetic:} spec, a file where a folder is named. Bad input, so final:
 * unlike a {@link DatasetException} (a mount may come back) a retry cannot help, and a job with it
 * fails at once with the sentence instead of retrying for ever.
 */
public final class DatasetSpecException extends IllegalArgumentException {
    public DatasetSpecException(String message) {
        super(message);
    }
}
