package org.dinoj.model.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.dinoj.nativelib.cuda.CudaLibraries;
import org.dinoj.nativelib.cuda.CudaLibrary;
import org.dinoj.nativelib.cuda.CudaLibraryNotFoundException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kernel sources compile with NVRTC for Hopper (sm_90), without a GPU: NVRTC is a plain
 * library. Runs where libnvrtc is found (DINOJ_CUDA_LIB_DIR or discovery), skips saying why
 * elsewhere.
 */
class KernelCompileTest {

    @BeforeAll
    static void needNvrtc() {
        try {
            CudaLibraries.lookup(CudaLibrary.NVRTC);
        } catch (CudaLibraryNotFoundException e) {
            System.out.println("skipping NVRTC compile checks: " + e.getMessage());
            Assumptions.abort("libnvrtc not found: " + e.getMessage());
        }
    }

    @Test
    void everyKernelUnitCompilesToCubinAndPtxForSm90() {
        for (String unit : KernelSources.UNITS) {
            byte[] cubin = NvrtcCompiler.compile(unit, KernelSources.read(unit), KernelSources.headers(),
                    NvrtcCompiler.options(9, 0, NvrtcCompiler.Output.CUBIN), NvrtcCompiler.Output.CUBIN);
            // A CUBIN is an ELF file.
            assertThat(cubin).as(unit).hasSizeGreaterThan(1000);
            assertThat(new String(cubin, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("ELF");

            byte[] ptx = NvrtcCompiler.compile(unit, KernelSources.read(unit), KernelSources.headers(),
                    NvrtcCompiler.options(9, 0, NvrtcCompiler.Output.PTX), NvrtcCompiler.Output.PTX);
            String text = new String(ptx, StandardCharsets.US_ASCII);
            assertThat(text).contains(".target sm_90");
            for (String kernel : CudaKernels.kernelsOf(unit)) {
                assertThat(text).as("%s defines %s", unit, kernel).contains(".entry " + kernel + "(");
            }
        }
    }

    @Test
    void compileErrorsCarryNvrtcsLog() {
        assertThatThrownBy(() -> NvrtcCompiler.compile("broken.cu", "extern \"C\" __global__ void k() { undefined_x; }",
                java.util.Map.of(), NvrtcCompiler.options(9, 0, NvrtcCompiler.Output.PTX), NvrtcCompiler.Output.PTX))
                .isInstanceOf(CudaException.class)
                .hasMessageContaining("broken.cu")
                .hasMessageContaining("undefined_x");
    }

    @Test
    void nvrtcReportsAVersion() {
        int[] version = NvrtcCompiler.version();
        assertThat(version[0]).isIn(List.of(12, 13));
    }
}
