package org.dinoj.model.backend.dnnl;

import static org.dinoj.bindings.dnnl.dnnl_h.*;

/**
 * The instruction set oneDNN dispatches to on this CPU ({@code dnnl_get_effective_cpu_isa}), and
 * what it means for dinoj's bf16 precision. oneDNN's bf16 math mode only permits bf16, and its bf16
 * matmul kernels need AVX512_BF16, AMX or AVX-NE-CONVERT: elsewhere (seen on an AVX2-only AMD EPYC)
 * the matmuls stay f32, so "bf16" then costs nothing in accuracy and gains nothing in speed.
 */
public final class CpuIsa {
    private static final int ISA = dnnl_get_effective_cpu_isa();

    private CpuIsa() {
    }

    /** True where oneDNN has bf16 matmul kernels: AVX512_BF16, AMX, or AVX2-VNNI-2 (AVX-NE-CONVERT). */
    public static boolean hasBf16Math() {
        return atLeast(dnnl_cpu_isa_avx512_core_bf16()) || atLeast(dnnl_cpu_isa_avx2_vnni_2());
    }

    /** A short name of the ISA level for logs and benchmark output. */
    public static String describe() {
        if (atLeast(dnnl_cpu_isa_avx10_1_512_amx())) {
            return "AVX-512 with AMX";
        }
        if (atLeast(dnnl_cpu_isa_avx512_core_bf16())) {
            return "AVX-512 with AVX512_BF16";
        }
        if (atLeast(dnnl_cpu_isa_avx512_core())) {
            return "AVX-512 without bf16";
        }
        if (atLeast(dnnl_cpu_isa_avx2_vnni_2())) {
            return "AVX2 with AVX-NE-CONVERT";
        }
        if (atLeast(dnnl_cpu_isa_avx2())) {
            return "AVX2 without bf16";
        }
        return String.format("below AVX2 (oneDNN ISA 0x%x)", ISA);
    }

    /** oneDNN's ISA values are bitmasks; each level's bits include the ones below it. */
    private static boolean atLeast(int level) {
        return (ISA & level) == level;
    }
}
