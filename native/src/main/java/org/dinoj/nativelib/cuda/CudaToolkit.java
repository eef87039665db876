package org.dinoj.nativelib.cuda;

import java.nio.file.Path;
import java.util.Map;

/** The toolkit libraries of one CUDA major version, as files on disk. */
public record CudaToolkit(int major, Map<CudaLibrary, Path> libraries) {
    public CudaToolkit {
        libraries = Map.copyOf(libraries);
    }

    public Path path(CudaLibrary library) {
        Path path = libraries.get(library);
        if (path == null) {
            throw new IllegalArgumentException(library + " is not a toolkit library of " + this);
        }
        return path;
    }
}
