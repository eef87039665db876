package org.dinoj.bench;

import static org.dinoj.bindings.dnnl.dnnl_h.dnnl_sgemm;

import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dinoj.bindings.dnnl.DnnlStatus;
import org.dinoj.bindings.dnnl.omp_h;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.dnnl.CpuIsa;
import org.dinoj.model.backend.dnnl.DnnlBackend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dinoj bench gemm}: GFLOP/s of DnnlBackend.matmul on ViT-shaped GEMMs (the token count
 * M of a batch times the width K, N of the qkv, proj and MLP layers), f32 and bf16, next to a
 * plain {@code dnnl_sgemm} call on the same buffers as the in-run ceiling. The bf16 rows also time
 * the same product on bf16 copies of the operands: the ceiling that storing activations and
 * weights in bf16 would reach, against the bf16 math mode on f32 tensors that the backend uses.
 */
@Command(name = "gemm",
        mixinStandardHelpOptions = true,
        description = "Matmul throughput of the dnnl backend against dnnl_sgemm (f32 and bf16; bf16 also on bf16 tensors).")
public final class GemmBench implements Callable<Integer> {
    /** Tokens per batch: 16 x 260 and 16 x 197 (ViT-S/14 with registers, ViT-S/16). */
    private static final long[] M = {4160, 3152};
    /** (K, N) of qkv, proj, fc1 and fc2 in a ViT-S block (width 384, MLP 1536). */
    private static final long[][] KN = {{384, 1152}, {384, 384}, {384, 1536}, {1536, 384}};

    @Spec
    private CommandSpec spec;

    @Option(names = "--json", description = "One JSON object per line.")
    private boolean json;

    @Mixin
    private RepeatOptions repeat;

    @Override
    public Integer call() {
        repeat.check();
        PrintWriter out = spec.commandLine().getOut();
        int threads = omp_h.omp_get_max_threads();
        if (!json) {
            out.println(repeat.header("gemm", threads));
            if (!CpuIsa.hasBf16Math()) {
                out.println("this CPU (" + CpuIsa.describe() + ") has no bf16 kernels: the bf16 rows run f32 matmuls, "
                        + "and bf16 tensors are not timed (oneDNN has no matmul for them here)");
            }
        }
        for (Precision precision : Precision.values()) {
            try (DnnlBackend backend = new DnnlBackend(precision)) {
                for (long m : M) {
                    for (long[] kn : KN) {
                        Result r = measure(backend, m, kn[0], kn[1]);
                        print(out, r, precision, threads);
                    }
                }
            }
        }
        out.flush();
        return 0;
    }

    /**
     * bf16TensorGflops: the product on bf16 copies of a and b (f32 result); NaN for f32 rows and on
     * CPUs without bf16 kernels.
     */
    private record Result(long m, long k, long n, double gflops, double sgemmGflops, double bf16TensorGflops) {
    }

    private Result measure(DnnlBackend backend, long m, long k, long n) {
        try (HostArena arena = new HostArena()) {
            Tensor a = Timing.uniform(arena.f32(m, k), 1);
            Tensor b = Timing.uniform(arena.f32(k, n), 2);
            Tensor c = arena.f32(m, n);
            MemorySegment a0 = a.data();
            MemorySegment b0 = b.data();
            MemorySegment c0 = c.data();
            Runnable matmul = () -> backend.matmul(a, b, c);
            // Without bf16 kernels oneDNN cannot multiply bf16 tensors at all (dnnl_unimplemented).
            boolean bf16 = backend.precision() == Precision.BF16 && CpuIsa.hasBf16Math();
            Tensor a16 = bf16 ? arena.allocate(DType.BF16, m, k) : null;
            Tensor b16 = bf16 ? arena.allocate(DType.BF16, k, n) : null;
            if (bf16) {
                backend.copy(a, a16);
                backend.copy(b, b16);
            }
            Runnable bf16Tensors = bf16 ? () -> backend.matmul(a16, b16, c) : null;
            // oneDNN's sgemm takes row-major matrices: C [M, N] = A [M, K] B [K, N], leading dims K, N, N.
            Runnable sgemm = () -> DnnlStatus.check(
                    dnnl_sgemm((byte) 'N', (byte) 'N', m, n, k, 1f, a0, k, b0, n, 0f, c0, n), "dnnl_sgemm");
            double[] medians = bf16 ? repeat.medianSeconds(matmul, sgemm, bf16Tensors) : repeat.medianSeconds(matmul, sgemm);
            double flops = 2.0 * m * n * k;
            return new Result(m, k, n, flops / medians[0] / 1e9, flops / medians[1] / 1e9,
                    bf16 ? flops / medians[2] / 1e9 : Double.NaN);
        }
    }

    private void print(PrintWriter out, Result r, Precision precision, int threads) {
        String p = precision.name().toLowerCase(Locale.ROOT);
        double ratio = r.gflops() / r.sgemmGflops();
        boolean tensors = !Double.isNaN(r.bf16TensorGflops());
        if (json) {
            out.printf(Locale.ROOT, "{\"op\":\"matmul\",\"m\":%d,\"k\":%d,\"n\":%d,\"precision\":\"%s\",\"gflops\":%.1f,"
                            + "\"sgemm_gflops\":%.1f,\"ratio_to_sgemm\":%.3f,%s\"threads\":%d,\"runs\":%d}%n",
                    r.m(), r.k(), r.n(), p, r.gflops(), r.sgemmGflops(), ratio,
                    tensors ? String.format(Locale.ROOT, "\"bf16_tensors_gflops\":%.1f,", r.bf16TensorGflops()) : "",
                    threads, repeat.runs);
        } else {
            out.printf(Locale.ROOT, "matmul m=%-5d k=%-5d n=%-5d %-4s %8.1f GFLOP/s   dnnl_sgemm f32 %8.1f GFLOP/s   %5.1f%%%s%n",
                    r.m(), r.k(), r.n(), p, r.gflops(), r.sgemmGflops(), 100 * ratio,
                    tensors ? String.format(Locale.ROOT, "   on bf16 tensors %8.1f GFLOP/s (x%.2f)", r.bf16TensorGflops(),
                            r.bf16TensorGflops() / r.gflops()) : "");
        }
        out.flush();
    }
}
