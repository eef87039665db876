package org.dinoj.nativelib.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process-wide loaded CUDA libraries. Each is located once (see {@link CudaSearchPath}),
 * loaded into the global arena and never unloaded, as the CUDA libraries expect.
 */
public final class CudaLibraries {
    private static final Logger LOG = LoggerFactory.getLogger(CudaLibraries.class);
    private static final Map<CudaLibrary, SymbolLookup> LOADED = new EnumMap<>(CudaLibrary.class);
    private static final Map<CudaLibrary, Path> PATHS = new EnumMap<>(CudaLibrary.class);
    private static CudaLibraryLocator locator;

    private CudaLibraries() {
    }

    /**
     * The symbols of {@code library}, loading it on first use.
     *
     * @throws CudaLibraryNotFoundException when it cannot be found; the message says where it looked
     */
    public static synchronized SymbolLookup lookup(CudaLibrary library) {
        SymbolLookup lookup = LOADED.get(library);
        if (lookup != null) {
            return lookup;
        }
        Path path = locate(library);
        if (path != null) {
            lookup = SymbolLookup.libraryLookup(path, Arena.global());
            LOG.debug("loaded {} from {}", library, path);
        } else {
            // The driver is installed by the NVIDIA driver package, often in a folder only the
            // dynamic loader's cache knows about (container runtimes add one): ask the loader by name.
            String soname = library.soname(0);
            try {
                lookup = SymbolLookup.libraryLookup(soname, Arena.global());
                LOG.debug("loaded {} as {} through the dynamic loader", library, soname);
            } catch (IllegalArgumentException e) {
                throw new CudaLibraryNotFoundException(soname + " (" + describe(library) + ") was found neither in "
                        + locator().describeDirectories() + " nor by the dynamic loader: "
                        + (library == CudaLibrary.DRIVER
                                ? "this machine has no NVIDIA driver; CUDA needs one."
                                : "install it or set " + CudaSearchPath.LIB_DIR_VARIABLE + " to its folder."));
            }
        }
        LOADED.put(library, lookup);
        return lookup;
    }

    /** The file a library was loaded from, if it was found on disk. */
    public static synchronized Optional<Path> path(CudaLibrary library) {
        if (!PATHS.containsKey(library) && !LOADED.containsKey(library)) {
            try {
                PATHS.put(library, locate(library));
            } catch (CudaLibraryNotFoundException e) {
                return Optional.empty();
            }
        }
        return Optional.ofNullable(PATHS.get(library));
    }

    /** The locator this process uses (built once from the environment). */
    public static synchronized CudaLibraryLocator locator() {
        if (locator == null) {
            locator = CudaLibraryLocator.ofSystem();
        }
        return locator;
    }

    /** A path for toolkit libraries (throws when the toolkit is incomplete), null for others not on disk. */
    private static Path locate(CudaLibrary library) {
        if (PATHS.containsKey(library)) {
            return PATHS.get(library);
        }
        Path path;
        if (library == CudaLibrary.NVRTC) {
            // The toolkit's NVRTC when the toolkit is complete (its output must suit that runtime);
            // else NVRTC alone, which suffices to compile kernels on machines without a GPU.
            try {
                path = locator().requireToolkit().path(library);
            } catch (CudaLibraryNotFoundException incomplete) {
                path = locator().findNvrtc().orElseThrow(() -> incomplete);
            }
        } else if (library.perToolkitMajor()) {
            path = locator().requireToolkit().path(library);
        } else {
            path = locator().find(library.soname(0)).orElse(null);
        }
        PATHS.put(library, path);
        return path;
    }

    private static String describe(CudaLibrary library) {
        return switch (library) {
            case DRIVER -> "the CUDA driver API";
            case CUDNN -> "cuDNN 9";
            default -> library.name();
        };
    }
}
