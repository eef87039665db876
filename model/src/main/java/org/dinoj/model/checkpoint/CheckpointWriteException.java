package org.dinoj.model.checkpoint;

import java.io.IOException;

/** A checkpoint could not be written; earlier checkpoints are untouched. */
public final class CheckpointWriteException extends IOException {
    public CheckpointWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
