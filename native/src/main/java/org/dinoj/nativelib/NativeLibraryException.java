package org.dinoj.nativelib;

/** A native library dinoj needs could not be found, extracted or loaded; the message says what to do. */
public final class NativeLibraryException extends RuntimeException {
    public NativeLibraryException(String message) {
        super(message);
    }

    public NativeLibraryException(String message, Throwable cause) {
        super(message, cause);
    }
}
