package org.dinoj.model.data;

/**
 * More of a dataset's files are damaged than {@code data.max_bad_fraction} allows. Damage does
 * not heal, so a retry of the same work meets it again (a file that could not be read stays a
 * plain, retried {@link DatasetException}, since a mount that is gone comes back).
 */
public final class DamagedImagesException extends DatasetUnusableException {
    public DamagedImagesException(String message) {
        super(message);
    }
}
