package org.dinoj.bindings.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.SymbolLookup;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.dinoj.nativelib.cuda.CudaLibraries;
import org.dinoj.nativelib.cuda.CudaLibrary;
import org.dinoj.nativelib.cuda.CudaLibraryNotFoundException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every function a binding class declares must exist, under that exact name, in the dynamic symbol
 * table of the library found on this machine (DINOJ_CUDA_LIB_DIR or discovery). Skips, saying why,
 * where the library is absent (the driver, libcuda.so.1, exists only where an NVIDIA driver is;
 * cuDNN, libcudnn.so.9, where the nvidia-cudnn-cu12/-cu13 wheel or a cuDNN package is installed).
 */
class CudaSymbolsTest {

    static List<Arguments> headers() {
        return List.of(
                Arguments.of(cuda_runtime_api_h.class, CudaLibrary.CUDART),
                Arguments.of(cublasLt_h.class, CudaLibrary.CUBLASLT),
                Arguments.of(nvrtc_h.class, CudaLibrary.NVRTC),
                Arguments.of(cudnn_h.class, CudaLibrary.CUDNN),
                Arguments.of(cuda_h.class, CudaLibrary.DRIVER));
    }

    @ParameterizedTest
    @MethodSource("headers")
    void everyBoundFunctionIsExportedByTheLibrary(Class<?> header, CudaLibrary library) {
        SymbolLookup lookup;
        try {
            lookup = CudaLibraries.lookup(library);
        } catch (CudaLibraryNotFoundException e) {
            System.out.println("skipping the " + library + " symbol check: " + e.getMessage());
            Assumptions.abort(library + " not found on this machine: " + e.getMessage());
            return;
        }
        List<String> names = boundFunctions(header);
        assertThat(names).as("functions bound in %s", header.getSimpleName()).hasSizeGreaterThan(2);
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            if (lookup.find(name).isEmpty()) {
                missing.add(name);
            }
        }
        System.out.println(header.getSimpleName() + ": " + names.size() + " functions found in "
                + CudaLibraries.path(library).map(Object::toString).orElse(library.soname(0)));
        assertThat(missing).as("symbols of %s missing from %s", header.getSimpleName(), library).isEmpty();
    }

    /** Names of the functions a jextract-shaped class binds: those with a {@code name$address()}. */
    private static List<String> boundFunctions(Class<?> header) {
        List<String> names = new ArrayList<>();
        for (Method method : header.getDeclaredMethods()) {
            String name = method.getName();
            if (Modifier.isStatic(method.getModifiers()) && name.endsWith("$address")) {
                names.add(name.substring(0, name.length() - "$address".length()));
            }
        }
        names.sort(null);
        return names;
    }
}
