package org.dinoj.nativelib.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The search logic on a fake file-system tree of empty files. */
class CudaLibraryLocatorTest {
    @TempDir
    Path root;

    private Path touch(String relative) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.createFile(file);
        return file;
    }

    private CudaSearchPath searchPath(Map<String, String> env) {
        return new CudaSearchPath(root, env);
    }

    @Test
    void findsTheCuda13WheelLayoutOfATorchVenv() throws IOException {
        String lib = "opt/torch/.venv/lib/python3.12/site-packages/nvidia/cu13/lib/";
        Path cudart = touch(lib + "libcudart.so.13");
        Path cublasLt = touch(lib + "libcublasLt.so.13");
        Path nvrtc = touch(lib + "libnvrtc.so.13");

        CudaToolkit toolkit = new CudaLibraryLocator(searchPath(Map.of()).directories()).requireToolkit();

        assertThat(toolkit.major()).isEqualTo(13);
        assertThat(toolkit.path(CudaLibrary.CUDART)).isEqualTo(cudart);
        assertThat(toolkit.path(CudaLibrary.CUBLASLT)).isEqualTo(cublasLt);
        assertThat(toolkit.path(CudaLibrary.NVRTC)).isEqualTo(nvrtc);
    }

    @Test
    void findsTheCuda12PerPackageWheelLayout() throws IOException {
        String site = "usr/local/lib/python3.11/dist-packages/nvidia/";
        touch(site + "cuda_runtime/lib/libcudart.so.12");
        touch(site + "cublas/lib/libcublasLt.so.12");
        Path nvrtc = touch(site + "cuda_nvrtc/lib/libnvrtc.so.12");

        CudaToolkit toolkit = new CudaLibraryLocator(searchPath(Map.of()).directories()).requireToolkit();

        assertThat(toolkit.major()).isEqualTo(12);
        assertThat(toolkit.path(CudaLibrary.NVRTC)).isEqualTo(nvrtc);
    }

    @Test
    void neverMixesMajorVersions() throws IOException {
        // CUDA 13 lacks cuBLASLt, so the complete CUDA 12 set wins even though its runtime comes later.
        touch("usr/local/cuda/lib64/libcudart.so.13");
        touch("usr/local/cuda/lib64/libnvrtc.so.13");
        Path cudart12 = touch("usr/lib/python3/dist-packages/nvidia/cuda_runtime/lib/libcudart.so.12");
        touch("usr/lib/python3/dist-packages/nvidia/cublas/lib/libcublasLt.so.12");
        touch("usr/lib/python3/dist-packages/nvidia/cuda_nvrtc/lib/libnvrtc.so.12");

        CudaToolkit toolkit = new CudaLibraryLocator(searchPath(Map.of()).directories()).requireToolkit();

        assertThat(toolkit.major()).isEqualTo(12);
        assertThat(toolkit.path(CudaLibrary.CUDART)).isEqualTo(cudart12);
    }

    @Test
    void explicitDirectoryComesFirstThenLdLibraryPath() throws IOException {
        touch("usr/local/cuda/lib64/libcudart.so.13");
        Path explicit = touch("mine/libcudart.so.13");
        Path fromLd = touch("ld/libcudart.so.13");
        Map<String, String> env = new HashMap<>();
        env.put("LD_LIBRARY_PATH", root.resolve("ld").toString());

        assertThat(new CudaLibraryLocator(searchPath(env).directories()).find(CudaLibrary.CUDART, 13))
                .contains(fromLd);

        env.put(CudaSearchPath.LIB_DIR_VARIABLE, root.resolve("mine").toString());
        assertThat(new CudaLibraryLocator(searchPath(env).directories()).find(CudaLibrary.CUDART, 13))
                .contains(explicit);
    }

    @Test
    void followsLoaderConfigIncludes() throws IOException {
        Path conf = root.resolve("etc/ld.so.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, "# comment\ninclude /etc/ld.so.conf.d/*.conf\n");
        Path confD = root.resolve("etc/ld.so.conf.d");
        Files.createDirectories(confD);
        Files.writeString(confD.resolve("cuda.conf"), "/opt/cuda-x/lib64  # the toolkit\n");
        Path cudart = touch("opt/cuda-x/lib64/libcudart.so.12");

        CudaSearchPath path = searchPath(Map.of());

        assertThat(path.loaderConfigDirectories()).containsExactly("/opt/cuda-x/lib64");
        assertThat(new CudaLibraryLocator(path.directories()).find(CudaLibrary.CUDART, 12)).contains(cudart);
    }

    @Test
    void searchesPythonPathVirtualEnvAndUserSite() throws IOException {
        Path fromPythonPath = touch("pp/nvidia/cu13/lib/libnvrtc.so.13");
        Path fromVenv = touch("venv/lib/python3.13/site-packages/nvidia/cublas/lib/libcublasLt.so.13");
        Path fromUser = touch("home/me/.local/lib/python3.12/site-packages/nvidia/cuda_runtime/lib/libcudart.so.13");
        Map<String, String> env = Map.of(
                "PYTHONPATH", root.resolve("pp").toString(),
                "VIRTUAL_ENV", root.resolve("venv").toString(),
                "HOME", root.resolve("home/me").toString());

        CudaToolkit toolkit = new CudaLibraryLocator(searchPath(env).directories()).requireToolkit();

        assertThat(toolkit.libraries()).containsEntry(CudaLibrary.NVRTC, fromPythonPath)
                .containsEntry(CudaLibrary.CUBLASLT, fromVenv)
                .containsEntry(CudaLibrary.CUDART, fromUser);
    }

    @Test
    void missingLibrariesAreNamedWithTheDirectoriesSearched() throws IOException {
        touch("usr/local/cuda/lib64/libcudart.so.13");
        touch("usr/local/cuda/lib64/libnvrtc.so.13");

        CudaLibraryLocator locator = new CudaLibraryLocator(searchPath(Map.of()).directories());

        assertThatThrownBy(locator::requireToolkit)
                .isInstanceOf(CudaLibraryNotFoundException.class)
                .hasMessageContaining("CUDA 13 lacks libcublasLt.so.13")
                .hasMessageContaining("CUDA 12 lacks libcudart.so.12, libcublasLt.so.12, libnvrtc.so.12")
                .hasMessageContaining(root.resolve("usr/local/cuda/lib64").toString())
                .hasMessageContaining(CudaSearchPath.LIB_DIR_VARIABLE);
    }

    @Test
    void nvrtcAloneIsEnoughToCompileKernels() throws IOException {
        Path nvrtc = touch("usr/local/cuda/lib64/libnvrtc.so.12");

        assertThat(new CudaLibraryLocator(searchPath(Map.of()).directories()).findNvrtc()).contains(nvrtc);
    }

    @Test
    void driverIsLookedUpBySingleSoname() throws IOException {
        Path driver = touch("usr/lib/x86_64-linux-gnu/libcuda.so.1");

        assertThat(new CudaLibraryLocator(searchPath(Map.of()).directories())
                .find(CudaLibrary.DRIVER.soname(0))).contains(driver);
    }
}
