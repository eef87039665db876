package org.dinoj.model.checkpoint;

import java.io.IOException;

/** A safetensors file that does not follow the format; the message names the file and the fault. */
public final class SafeTensorsFormatException extends IOException {
    public SafeTensorsFormatException(String message) {
        super(message);
    }
}
