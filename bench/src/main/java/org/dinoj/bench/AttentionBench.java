package org.dinoj.bench;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dinoj.bindings.dnnl.omp_h;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.dnnl.DnnlBackend;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code dinoj bench attention}: the six batched products of one attention layer's forward and
 * backward pass ({@code S = q k^T}, {@code C = P v}, {@code dP = dC v^T}, {@code dv = P^T dC},
 * {@code dq = dS k}, {@code dk = dS^T q}) on DnnlBackend, timed two ways in the same run: on q, k
 * and v as strided views into the {@code [B, N, 3D]} qkv buffer (what the attention layer does),
 * and on contiguous {@code [B, H, N, hd]} copies, with the time of the copies reported apart.
 * Then the softmax backward between them, as the backend runs it against oneDNN's primitive (the
 * backend replaces oneDNN's reference kernel, all it has without AVX-512, with a host loop).
 */
@Command(name = "attention",
        mixinStandardHelpOptions = true,
        description = "Attention's batched products on strided qkv views against contiguous per-head copies; "
                + "its softmax backward against oneDNN's primitive.")
public final class AttentionBench implements Callable<Integer> {
    /** (name, B, H, N, hd): the shapes of the bench configs (tiny-28 has fmnist-tiny's). */
    private record Shape(String name, long batch, long heads, long tokens, long headDim) {
    }

    private static final Shape[] SHAPES = {
            new Shape("small-32", 64, 6, 65, 64),
            new Shape("fmnist-tiny", 64, 3, 50, 64),
            new Shape("vits14-224", 8, 6, 257, 64),
    };

    @Spec
    private CommandSpec spec;

    @Mixin
    private RepeatOptions repeat;

    @Override
    public Integer call() {
        repeat.check();
        PrintWriter out = spec.commandLine().getOut();
        out.println(repeat.header("attention products", omp_h.omp_get_max_threads()));
        for (Precision precision : Precision.values()) {
            try (DnnlBackend backend = new DnnlBackend(precision)) {
                for (Shape shape : SHAPES) {
                    measure(backend, shape, out);
                }
            }
        }
        out.flush();
        return 0;
    }

    private void measure(DnnlBackend backend, Shape s, PrintWriter out) {
        long b = s.batch();
        long h = s.heads();
        long n = s.tokens();
        long hd = s.headDim();
        long dim = h * hd;
        try (HostArena arena = new HostArena()) {
            Tensor qkv = Timing.uniform(arena.f32(b, n, 3 * dim), 1);
            Tensor dContextRows = Timing.uniform(arena.f32(b, n, dim), 2);
            Tensor dQkv = arena.f32(b, n, 3 * dim);
            Tensor p = Timing.uniform(arena.f32(b, h, n, n), 3);
            Tensor dP = arena.f32(b, h, n, n);
            Tensor dS = Timing.uniform(arena.f32(b, h, n, n), 4);
            Tensor contextRows = arena.f32(b, n, dim);
            Tensor[] views = {part(qkv, 0, s), part(qkv, 1, s), part(qkv, 2, s), heads(contextRows, s),
                    heads(dContextRows, s), part(dQkv, 0, s), part(dQkv, 1, s), part(dQkv, 2, s)};
            // Contiguous: q, k, v in one [3, B, H, N, hd] buffer, dq, dk, dv in another.
            Tensor qkvHeads = arena.f32(3, b, h, n, hd);
            Tensor dQkvHeads = arena.f32(3, b, h, n, hd);
            Tensor contextHeads = arena.f32(b, h, n, hd);
            Tensor dContextHeads = arena.f32(b, h, n, hd);
            Tensor[] dense = {one(qkvHeads, 0), one(qkvHeads, 1), one(qkvHeads, 2), contextHeads, dContextHeads,
                    one(dQkvHeads, 0), one(dQkvHeads, 1), one(dQkvHeads, 2)};
            float scale = (float) (1 / Math.sqrt(hd));
            Runnable strided = () -> products(backend, views, p, dP, dS, scale);
            Runnable contiguous = () -> products(backend, dense, p, dP, dS, scale);
            // What the contiguous layout costs: one reorder each for qkv and dC in, C and dqkv out.
            Runnable copies = () -> {
                backend.copy(headsMajor(qkv, s), qkvHeads);
                backend.copy(heads(dContextRows, s), dContextHeads);
                backend.copy(contextHeads, heads(contextRows, s));
                backend.copy(dQkvHeads, headsMajor(dQkv, s));
            };
            double difference = layoutDifference(backend, strided, contiguous, copies, contextRows, dQkv);
            double[] medians = repeat.medianSeconds(strided, contiguous, copies);
            double flops = 6 * 2.0 * b * h * n * n * hd;
            double st = medians[0];
            double ct = medians[1];
            double cp = medians[2];
            out.printf(Locale.ROOT, "%-11s %-4s B=%-3d H=%d N=%-3d hd=%d  strided %7.2f ms %6.1f GFLOP/s   contiguous %7.2f ms "
                            + "%6.1f GFLOP/s   copies %6.2f ms   contiguous+copies / strided %.2f   max |difference| %.1e%n",
                    s.name(), backend.precision().name().toLowerCase(Locale.ROOT), b, h, n, hd, st * 1e3, flops / st / 1e9,
                    ct * 1e3, flops / ct / 1e9, cp * 1e3, (ct + cp) / st, difference);
            // The softmax backward between dP and dS: the backend's path against oneDNN's primitive.
            Tensor dScores = arena.f32(b, h, n, n);
            double[] softmax = repeat.medianSeconds(() -> backend.softmaxBackward(p, dP, dScores, false),
                    () -> backend.softmaxBackwardOnOneDnn(p, dP, dScores));
            out.printf(Locale.ROOT, "%-11s %-4s softmax backward [B, H, N, N]: backend %6.2f ms   oneDNN primitive (%s) "
                            + "%6.2f ms   oneDNN / backend %.2f%n",
                    s.name(), backend.precision().name().toLowerCase(Locale.ROOT), softmax[0] * 1e3,
                    backend.softmaxBackwardImplementation(p, dP, dScores), softmax[1] * 1e3, softmax[1] / softmax[0]);
            out.flush();
        }
    }

    /**
     * Runs both layouts once and returns the largest difference between their outputs (C and
     * dq, dk, dv in the qkv layout): both must compute the same products.
     */
    private static double layoutDifference(DnnlBackend backend, Runnable strided, Runnable contiguous, Runnable copies,
                                           Tensor contextRows, Tensor dQkv) {
        strided.run();
        float[] context = contextRows.toFloatArray();
        float[] gradients = dQkv.toFloatArray();
        backend.fill(contextRows, 0f);
        backend.fill(dQkv, 0f);
        copies.run(); // brings q, k, v and dC into the contiguous buffers
        contiguous.run();
        copies.run(); // and C, dq, dk, dv back into the qkv layout
        return Math.max(maxDifference(context, contextRows.toFloatArray()), maxDifference(gradients, dQkv.toFloatArray()));
    }

    private static double maxDifference(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    /** t: q, k, v, C, dC, dq, dk, dv as {@code [B, H, N, hd]}. */
    private static void products(DnnlBackend backend, Tensor[] t, Tensor p, Tensor dP, Tensor dS, float scale) {
        // The scores land in dP's buffer, which the third product overwrites: dS stays a fixed input.
        backend.matmul(t[0], t[1].transpose(2, 3), null, dP, scale, 0f);
        backend.matmul(p, t[2], t[3]);
        backend.matmul(t[4], t[2].transpose(2, 3), dP);
        backend.matmul(p.transpose(2, 3), t[4], t[7]);
        backend.matmul(dS, t[1], null, t[5], scale, 0f);
        backend.matmul(dS.transpose(2, 3), t[0], null, t[6], scale, 0f);
    }

    /** Part 0 (q), 1 (k) or 2 (v) of a {@code [B, N, 3D]} buffer as {@code [B, H, N, hd]}. */
    private static Tensor part(Tensor qkv, int part, Shape s) {
        long h = s.heads();
        return qkv.view(s.batch(), s.tokens(), 3 * h, s.headDim()).slice(2, part * h, h).transpose(1, 2);
    }

    /** Part i of a {@code [3, B, H, N, hd]} buffer. */
    private static Tensor one(Tensor heads, int i) {
        long[] shape = heads.shape();
        return heads.slice(0, i, 1).view(shape[1], shape[2], shape[3], shape[4]);
    }

    /** A {@code [B, N, 3D]} buffer as {@code [3, B, H, N, hd]}. */
    private static Tensor headsMajor(Tensor qkv, Shape s) {
        return qkv.view(s.batch(), s.tokens(), 3, s.heads(), s.headDim()).permute(2, 0, 3, 1, 4);
    }

    /** A {@code [B, N, D]} buffer as {@code [B, H, N, hd]}. */
    private static Tensor heads(Tensor rows, Shape s) {
        return rows.view(s.batch(), s.tokens(), s.heads(), s.headDim()).transpose(1, 2);
    }
}
