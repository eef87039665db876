package org.dinoj.nativelib.cuda;

/** A CUDA library could not be found; the message names the files and where they were looked for. */
public final class CudaLibraryNotFoundException extends RuntimeException {
    public CudaLibraryNotFoundException(String message) {
        super(message);
    }
}
