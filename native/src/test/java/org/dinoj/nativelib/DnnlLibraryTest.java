package org.dinoj.nativelib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DnnlLibraryTest {

    @Test
    void loadsBundledOneDnnWithItsOpenMpRuntime() {
        DnnlLibrary library = DnnlLibrary.load();

        assertThat(library.dnnl().find("dnnl_primitive_execute")).isPresent();
        assertThat(library.gomp().find("omp_get_max_threads")).isPresent();
        assertThat(library.path().getFileName().toString()).isEqualTo("libdnnl.so.3");
        assertThat(Files.isRegularFile(library.path().resolveSibling("libOpenCL.so.1"))).isTrue();
        assertThat(DnnlLibrary.load()).isSameAs(library);
    }

    @Test
    void overrideLoadsTheNamedFile() {
        Path bundled = DnnlLibrary.load().path();

        DnnlLibrary library = DnnlLibrary.loadOnce(bundled.toString(), null, NativeLibraryCache.standard());

        assertThat(library.path()).isEqualTo(bundled);
        assertThat(library.dnnl().find("dnnl_engine_create")).isPresent();
        assertThat(library.hasGomp()).isTrue();
    }

    @Test
    void missingOverrideNamesTheVariable(@TempDir Path dir) {
        String missing = dir.resolve("libdnnl.so.3").toString();

        assertThatThrownBy(() -> DnnlLibrary.loadOnce(missing, null, new NativeLibraryCache(dir)))
                .isInstanceOf(NativeLibraryException.class)
                .hasMessageStartingWith("DINOJ_DNNL_LIBRARY=" + missing + " does not name a file");
    }

    @Test
    void badThreadCountIsRefused(@TempDir Path dir) {
        assertThatThrownBy(() -> DnnlLibrary.loadOnce(null, "two", new NativeLibraryCache(dir)))
                .isInstanceOf(NativeLibraryException.class)
                .hasMessageContaining("DINOJ_THREADS=two is not a positive thread count");
    }
}
