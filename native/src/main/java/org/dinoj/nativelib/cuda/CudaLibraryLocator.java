package org.dinoj.nativelib.cuda;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds CUDA libraries in the directories of a {@link CudaSearchPath}. The toolkit libraries
 * (runtime, cuBLASLt, NVRTC) are taken from one CUDA major version, the newest supported one
 * for which all three are found, so that a CUDA 13 runtime is never paired with a CUDA 12 cuBLASLt.
 */
public final class CudaLibraryLocator {
    private static final List<CudaLibrary> TOOLKIT =
            List.of(CudaLibrary.CUDART, CudaLibrary.CUBLASLT, CudaLibrary.NVRTC);

    private final List<Path> directories;

    public CudaLibraryLocator(List<Path> directories) {
        this.directories = List.copyOf(directories);
    }

    public static CudaLibraryLocator ofSystem() {
        return new CudaLibraryLocator(CudaSearchPath.ofSystem().directories());
    }

    /** The directories searched, in order. */
    public List<Path> directories() {
        return directories;
    }

    /** The first file named {@code soname} in the search directories. */
    public Optional<Path> find(String soname) {
        for (Path dir : directories) {
            Path candidate = dir.resolve(soname);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** {@code library} of toolkit major {@code major}, or empty. */
    public Optional<Path> find(CudaLibrary library, int major) {
        return find(library.soname(major));
    }

    /**
     * The runtime, cuBLASLt and NVRTC of the newest CUDA major version that has all three.
     *
     * @throws CudaLibraryNotFoundException naming each missing file and every directory searched
     */
    public CudaToolkit requireToolkit() {
        for (int major : CudaLibrary.SUPPORTED_MAJORS) {
            Map<CudaLibrary, Path> found = new EnumMap<>(CudaLibrary.class);
            for (CudaLibrary library : TOOLKIT) {
                find(library, major).ifPresent(path -> found.put(library, path));
            }
            if (found.size() == TOOLKIT.size()) {
                return new CudaToolkit(major, found);
            }
        }
        List<String> missing = new ArrayList<>();
        for (int major : CudaLibrary.SUPPORTED_MAJORS) {
            List<String> lacking = new ArrayList<>();
            for (CudaLibrary library : TOOLKIT) {
                if (find(library, major).isEmpty()) {
                    lacking.add(library.soname(major));
                }
            }
            missing.add("CUDA " + major + " lacks " + String.join(", ", lacking));
        }
        throw new CudaLibraryNotFoundException("No complete CUDA toolkit found (" + String.join("; ", missing)
                + ") in " + describeDirectories() + ": install the CUDA 12 or 13 runtime, cuBLAS and NVRTC "
                + "(e.g. the nvidia-cuda-runtime, nvidia-cublas and nvidia-cuda-nvrtc wheels) or set "
                + CudaSearchPath.LIB_DIR_VARIABLE + " to the folder that holds them.");
    }

    /** Just NVRTC, newest supported major first (it compiles kernels without a GPU or the rest of CUDA). */
    public Optional<Path> findNvrtc() {
        for (int major : CudaLibrary.SUPPORTED_MAJORS) {
            Optional<Path> path = find(CudaLibrary.NVRTC, major);
            if (path.isPresent()) {
                return path;
            }
        }
        return Optional.empty();
    }

    /** A text listing the searched directories, for error messages. */
    public String describeDirectories() {
        return directories.isEmpty() ? "no existing directory" : "[" + String.join(", ",
                directories.stream().map(Path::toString).toList()) + "]";
    }
}
