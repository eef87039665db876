package org.dinoj.model.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;
import org.dinoj.bindings.cuda.nvrtc_h;

/**
 * Compiles CUDA C with NVRTC into a CUBIN (machine code for one architecture) or PTX. Needs no
 * GPU: only libnvrtc.
 */
public final class NvrtcCompiler {
    /** What to produce. */
    public enum Output { PTX, CUBIN }

    private NvrtcCompiler() {
    }

    /** The NVRTC version as {major, minor}. */
    public static int[] version() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment major = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment minor = arena.allocate(ValueLayout.JAVA_INT);
            CudaErrors.checkNvrtc(nvrtc_h.nvrtcVersion(major, minor), "nvrtcVersion");
            return new int[] {major.get(ValueLayout.JAVA_INT, 0), minor.get(ValueLayout.JAVA_INT, 0)};
        }
    }

    /** The options dinoj compiles its kernels with for compute capability {@code major.minor}. */
    public static List<String> options(int major, int minor, Output output) {
        String arch = (output == Output.CUBIN ? "sm_" : "compute_") + major + minor;
        return List.of("--gpu-architecture=" + arch, "--std=c++17");
    }

    /**
     * Compiles {@code source} (named {@code name} in messages) with {@code headers} (include name
     * to text) and returns the PTX text as bytes (with its terminating NUL) or the CUBIN image.
     *
     * @throws CudaException with NVRTC's log when the source does not compile
     */
    public static byte[] compile(String name, String source, Map<String, String> headers, List<String> options,
                                 Output output) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment program = arena.allocate(ValueLayout.ADDRESS);
            MemorySegment headerTexts = arena.allocate(ValueLayout.ADDRESS, Math.max(1, headers.size()));
            MemorySegment headerNames = arena.allocate(ValueLayout.ADDRESS, Math.max(1, headers.size()));
            int i = 0;
            for (Map.Entry<String, String> header : headers.entrySet()) {
                headerNames.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(header.getKey()));
                headerTexts.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(header.getValue()));
                i++;
            }
            CudaErrors.checkNvrtc(nvrtc_h.nvrtcCreateProgram(program, arena.allocateFrom(source),
                    arena.allocateFrom(name), headers.size(), headerTexts, headerNames), "nvrtcCreateProgram " + name);
            MemorySegment prog = program.get(ValueLayout.ADDRESS, 0);
            try {
                MemorySegment optionArray = arena.allocate(ValueLayout.ADDRESS, Math.max(1, options.size()));
                for (int o = 0; o < options.size(); o++) {
                    optionArray.setAtIndex(ValueLayout.ADDRESS, o, arena.allocateFrom(options.get(o)));
                }
                int status = nvrtc_h.nvrtcCompileProgram(prog, options.size(), optionArray);
                if (status != nvrtc_h.NVRTC_SUCCESS()) {
                    throw new CudaException("NVRTC could not compile " + name + " with " + options + ":\n"
                            + log(arena, prog), status);
                }
                MemorySegment size = arena.allocate(ValueLayout.JAVA_LONG);
                if (output == Output.CUBIN) {
                    CudaErrors.checkNvrtc(nvrtc_h.nvrtcGetCUBINSize(prog, size), "nvrtcGetCUBINSize " + name);
                } else {
                    CudaErrors.checkNvrtc(nvrtc_h.nvrtcGetPTXSize(prog, size), "nvrtcGetPTXSize " + name);
                }
                MemorySegment image = arena.allocate(size.get(ValueLayout.JAVA_LONG, 0));
                if (output == Output.CUBIN) {
                    CudaErrors.checkNvrtc(nvrtc_h.nvrtcGetCUBIN(prog, image), "nvrtcGetCUBIN " + name);
                } else {
                    CudaErrors.checkNvrtc(nvrtc_h.nvrtcGetPTX(prog, image), "nvrtcGetPTX " + name);
                }
                return image.toArray(ValueLayout.JAVA_BYTE);
            } finally {
                nvrtc_h.nvrtcDestroyProgram(program);
            }
        }
    }

    private static String log(Arena arena, MemorySegment prog) {
        MemorySegment size = arena.allocate(ValueLayout.JAVA_LONG);
        if (nvrtc_h.nvrtcGetProgramLogSize(prog, size) != 0) {
            return "(no log)";
        }
        MemorySegment text = arena.allocate(Math.max(1, size.get(ValueLayout.JAVA_LONG, 0)));
        if (nvrtc_h.nvrtcGetProgramLog(prog, text) != 0) {
            return "(no log)";
        }
        return text.getString(0);
    }
}
