package org.dinoj.nativelib;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * oneDNN (libdnnl.so.3) and its OpenMP runtime, loaded once per process through FFM.
 *
 * <p>By default the libraries come from the org.bytedeco:dnnl and org.bytedeco:opencl jars on the
 * class path: libdnnl.so.3, libgomp.so.1 and libOpenCL.so.1 are extracted side by side into the
 * {@link NativeLibraryCache} (libdnnl finds the other two through {@code RUNPATH $ORIGIN}).
 * {@code DINOJ_DNNL_LIBRARY=/path/libdnnl.so.3} loads a user's own build instead.
 *
 * <p>Threads: {@code DINOJ_THREADS=n} sets {@code OMP_NUM_THREADS} before libgomp is loaded, so it
 * holds for every Java thread that calls oneDNN; otherwise libgomp reads {@code OMP_NUM_THREADS}
 * itself (default: all cores). Unless {@code OMP_WAIT_POLICY} is set, it is set to PASSIVE
 * (idle workers sleep rather than spin; see {@link #applyPassiveWaitByDefault}).
 */
public final class DnnlLibrary {
    public static final String LIBRARY_ENV = "DINOJ_DNNL_LIBRARY";
    public static final String THREADS_ENV = "DINOJ_THREADS";

    static final String GOMP_RESOURCE = "org/bytedeco/dnnl/linux-x86_64/libgomp.so.1";
    static final String OPENCL_RESOURCE = "org/bytedeco/opencl/linux-x86_64/libOpenCL.so.1";
    static final String DNNL_RESOURCE = "org/bytedeco/dnnl/linux-x86_64/libdnnl.so.3";
    /** In load order: libdnnl needs the other two. */
    static final List<String> BUNDLED = List.of(GOMP_RESOURCE, OPENCL_RESOURCE, DNNL_RESOURCE);

    private static final Logger LOG = LoggerFactory.getLogger(DnnlLibrary.class);

    private static DnnlLibrary instance;
    private static NativeLibraryException failure;

    private final Path dnnlPath;
    private final SymbolLookup dnnl;
    private final SymbolLookup gomp;

    private DnnlLibrary(Path dnnlPath, SymbolLookup dnnl, SymbolLookup gomp) {
        this.dnnlPath = dnnlPath;
        this.dnnl = dnnl;
        this.gomp = gomp;
    }

    /**
     * Loads oneDNN once (later calls return the same instance, or throw the same error).
     *
     * @throws NativeLibraryException when the platform is not linux-x86_64, the override does not
     *     exist, the jars are missing or the library cannot be loaded
     */
    public static synchronized DnnlLibrary load() {
        if (instance != null) {
            return instance;
        }
        if (failure != null) {
            throw failure;
        }
        try {
            instance = loadOnce(System.getenv(LIBRARY_ENV), System.getenv(THREADS_ENV), NativeLibraryCache.standard());
            return instance;
        } catch (NativeLibraryException e) {
            failure = e;
            throw e;
        }
    }

    /** Symbols of libdnnl. */
    public SymbolLookup dnnl() {
        return dnnl;
    }

    /**
     * Symbols of the OpenMP runtime oneDNN runs on.
     *
     * @throws NativeLibraryException when the loaded oneDNN does not use libgomp (a user build
     *     with another threading runtime)
     */
    public SymbolLookup gomp() {
        if (gomp == null) {
            throw new NativeLibraryException("no libgomp.so.1 was found next to or loaded by " + dnnlPath
                    + ": OpenMP thread control needs a oneDNN built with GNU OpenMP");
        }
        return gomp;
    }

    /** Whether libgomp was found (always with the bundled oneDNN). */
    public boolean hasGomp() {
        return gomp != null;
    }

    /** The libdnnl.so.3 file that was loaded. */
    public Path path() {
        return dnnlPath;
    }

    static DnnlLibrary loadOnce(String override, String threads, NativeLibraryCache cache) {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new NativeLibraryException("the bundled oneDNN is built for linux-x86_64, not " + os + "-" + arch
                    + ": set " + LIBRARY_ENV + " to a libdnnl.so.3 built for this platform");
        }
        applyThreads(threads);
        applyPassiveWaitByDefault();
        Arena arena = Arena.global();
        if (override != null && !override.isBlank()) {
            Path path = Path.of(override).toAbsolutePath();
            if (!Files.isRegularFile(path)) {
                throw new NativeLibraryException(LIBRARY_ENV + "=" + override + " does not name a file: set it to the path "
                        + "of libdnnl.so.3, or unset it to use the oneDNN bundled with dinoj");
            }
            SymbolLookup dnnl = open(path, arena);
            SymbolLookup gomp = findGomp(path.resolveSibling("libgomp.so.1"), arena);
            LOG.info("Loaded oneDNN from {} ({})", path, LIBRARY_ENV);
            return new DnnlLibrary(path, dnnl, gomp);
        }
        Path dir = cache.extract(DnnlLibrary.class.getClassLoader(), BUNDLED);
        SymbolLookup gomp = open(dir.resolve("libgomp.so.1"), arena);
        open(dir.resolve("libOpenCL.so.1"), arena);
        Path dnnlPath = dir.resolve("libdnnl.so.3");
        SymbolLookup dnnl = open(dnnlPath, arena);
        LOG.debug("Loaded oneDNN from {}", dnnlPath);
        return new DnnlLibrary(dnnlPath, dnnl, gomp);
    }

    private static SymbolLookup open(Path path, Arena arena) {
        try {
            return SymbolLookup.libraryLookup(path, arena);
        } catch (IllegalArgumentException e) {
            throw new NativeLibraryException("cannot load native library " + path + " (" + e.getMessage()
                    + "): check that the file is a linux-x86_64 shared library and its dependencies are present", e);
        }
    }

    /** libgomp beside a user's libdnnl, or the one the dynamic linker already loaded for it. */
    private static SymbolLookup findGomp(Path sibling, Arena arena) {
        try {
            return Files.isRegularFile(sibling)
                    ? SymbolLookup.libraryLookup(sibling, arena)
                    : SymbolLookup.libraryLookup("libgomp.so.1", arena);
        } catch (IllegalArgumentException e) {
            LOG.warn("No libgomp.so.1 for the oneDNN in {}: thread count settings are left to its own runtime", sibling);
            return null;
        }
    }

    /**
     * {@code DINOJ_THREADS=n}: sets OMP_NUM_THREADS in the process environment before libgomp is
     * loaded; libgomp reads it once, at load time, as the default for every thread.
     */
    /**
     * {@code OMP_WAIT_POLICY=PASSIVE} unless the user set a policy: idle OpenMP workers sleep
     * instead of spinning. On a machine shared by other processes a spinning worker takes the core
     * the calling thread needs; measured on a loaded 2-core host, tiny-28 bf16 ran 7.5 s/step with
     * libgomp's default spinning and 1.0 s/step passive. Set before libgomp loads, which reads it once.
     */
    private static void applyPassiveWaitByDefault() {
        String policy = System.getenv("OMP_WAIT_POLICY");
        if (policy != null && !policy.isBlank()) {
            return;
        }
        setenv("OMP_WAIT_POLICY", "PASSIVE");
    }

    private static void setenv(String name, String value) {
        Linker linker = Linker.nativeLinker();
        MemorySegment setenv = linker.defaultLookup().find("setenv").orElseThrow(
                () -> new NativeLibraryException("the C library has no setenv: cannot set " + name));
        MethodHandle handle = linker.downcallHandle(setenv, FunctionDescriptor.of(
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) handle.invokeExact(arena.allocateFrom(name), arena.allocateFrom(value), 1);
            if (rc != 0) {
                throw new NativeLibraryException("setenv(" + name + ") failed");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("setenv downcall failed", t);
        }
    }

    private static void applyThreads(String threads) {
        if (threads == null || threads.isBlank()) {
            return;
        }
        int n;
        try {
            n = Integer.parseInt(threads.trim());
        } catch (NumberFormatException e) {
            n = 0;
        }
        if (n < 1) {
            throw new NativeLibraryException(THREADS_ENV + "=" + threads + " is not a positive thread count: "
                    + "set it to a number such as 2, or unset it to use all cores");
        }
        Linker linker = Linker.nativeLinker();
        MemorySegment setenv = linker.defaultLookup().find("setenv").orElseThrow(
                () -> new NativeLibraryException("the C library has no setenv: cannot apply " + THREADS_ENV));
        MethodHandle handle = linker.downcallHandle(setenv, FunctionDescriptor.of(
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) handle.invokeExact(arena.allocateFrom("OMP_NUM_THREADS"),
                    arena.allocateFrom(Integer.toString(n)), 1);
            if (rc != 0) {
                throw new NativeLibraryException("setenv(OMP_NUM_THREADS) failed: cannot apply " + THREADS_ENV);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("setenv downcall failed", t);
        }
    }
}
