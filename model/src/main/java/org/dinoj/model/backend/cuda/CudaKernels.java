package org.dinoj.model.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.dinoj.bindings.cuda.cuda_h;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * dinoj's kernels compiled with NVRTC to CUBIN for the current device's architecture and loaded
 * as driver-API modules (in the primary context the runtime made current).
 */
final class CudaKernels implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CudaKernels.class);

    /**
     * CUBIN images by unit and architecture, compiled once per process: NVRTC takes seconds, and
     * tests open many backends.
     */
    private static final Map<String, byte[]> COMPILED = new ConcurrentHashMap<>();
    /** Across processes: the GPU test run and each benchmark process would otherwise recompile. */
    private static final CubinCache DISK = CubinCache.ofSystem();

    private final List<MemorySegment> modules = new ArrayList<>();
    private final MemorySegment[] functions = new MemorySegment[Kernel.values().length];

    /** The kernel symbols a compilation unit defines. */
    static List<String> kernelsOf(String unit) {
        List<String> names = new ArrayList<>();
        for (Kernel kernel : Kernel.values()) {
            if (kernel.unit.equals(unit)) {
                names.add(kernel.symbol);
            }
        }
        return names;
    }

    CudaKernels(int ccMajor, int ccMinor) {
        long start = System.nanoTime();
        Map<String, String> headers = KernelSources.headers();
        List<String> options = NvrtcCompiler.options(ccMajor, ccMinor, NvrtcCompiler.Output.CUBIN);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            for (String unit : KernelSources.UNITS) {
                byte[] cubin = COMPILED.computeIfAbsent(unit + "@sm_" + ccMajor + ccMinor, key -> {
                    String source = KernelSources.read(unit);
                    return DISK.get(unit, () -> NvrtcCompiler.compile(unit, source, headers, options,
                                    NvrtcCompiler.Output.CUBIN),
                            source, new java.util.TreeMap<>(headers).toString(), options.toString(), nvrtcVersion());
                });
                MemorySegment image = arena.allocate(cubin.length, 16);
                image.copyFrom(MemorySegment.ofArray(cubin));
                CudaErrors.checkDriver(cuda_h.cuModuleLoadData(out, image), "cuModuleLoadData " + unit);
                MemorySegment module = out.get(ValueLayout.ADDRESS, 0);
                modules.add(module);
                for (Kernel kernel : Kernel.values()) {
                    if (kernel.unit.equals(unit)) {
                        CudaErrors.checkDriver(cuda_h.cuModuleGetFunction(out, module, arena.allocateFrom(kernel.symbol)),
                                "cuModuleGetFunction " + kernel.symbol);
                        functions[kernel.ordinal()] = out.get(ValueLayout.ADDRESS, 0);
                    }
                }
            }
        }
        LOG.info("loaded {} CUDA kernels for sm_{}{} in {} ms", functions.length, ccMajor, ccMinor,
                (System.nanoTime() - start) / 1_000_000);
    }

    private static String nvrtcVersion() {
        int[] version = NvrtcCompiler.version();
        return "nvrtc " + version[0] + "." + version[1] + " from "
                + org.dinoj.nativelib.cuda.CudaLibraries.path(org.dinoj.nativelib.cuda.CudaLibrary.NVRTC)
                        .map(Object::toString).orElse("the dynamic loader");
    }

    MemorySegment function(Kernel kernel) {
        return functions[kernel.ordinal()];
    }

    @Override
    public void close() {
        for (MemorySegment module : modules) {
            cuda_h.cuModuleUnload(module);
        }
        modules.clear();
    }
}
