package org.dinoj.model.checkpoint;

import java.io.IOException;

/**
 * A checkpoint that verifies but does not fit the configuration that opens it: a tensor missing or
 * of another shape, or another training mode. Reading it again cannot help; the configuration or
 * the checkpoint must change.
 */
public final class CheckpointMismatchException extends IOException {
    public CheckpointMismatchException(String message) {
        super(message);
    }
}
