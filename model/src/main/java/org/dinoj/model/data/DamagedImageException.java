package org.dinoj.model.data;

import java.io.IOException;

/**
 * A file that was read but is not a decodable image (truncated, not an image, an unsupported
 * variant). Unlike a plain {@link IOException} from reading, it fails the same way every time.
 */
public final class DamagedImageException extends IOException {
    public DamagedImageException(String message) {
        super(message);
    }

    public DamagedImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
