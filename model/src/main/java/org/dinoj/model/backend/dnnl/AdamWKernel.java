package org.dinoj.model.backend.dnnl;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dinoj.model.backend.AdamWStep;

/**
 * The fused AdamW update as one pass over four f32 arrays, as torch.optim.AdamW:
 * {@code p *= 1 - lr*wd; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * p -= (lr / (1-b1^t)) * m / (sqrt(v) / sqrt(1-b2^t) + eps)}.
 * Scalars are formed once per call in double and used as floats in the loop. Large tensors are
 * split in two halves, one on a helper thread: the update is memory-bound and one core does not
 * saturate the memory bandwidth.
 */
final class AdamWKernel implements AutoCloseable {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Below this many elements the hand-off costs more than the second core saves. */
    private static final long PARALLEL_THRESHOLD = 1 << 16;

    private ExecutorService helper;

    /** Updates {@code n} elements of param, m and v in place from grad. */
    void update(MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v, long n, AdamWStep s) {
        double bc1 = 1 - Math.pow(s.beta1(), s.step());
        double bc2 = 1 - Math.pow(s.beta2(), s.step());
        Scalars k = new Scalars((float) (1 - (double) s.lr() * s.weightDecay()), (float) (s.lr() / bc1),
                (float) (1 / Math.sqrt(bc2)), s.beta1(), s.beta2(), s.eps());
        if (n < PARALLEL_THRESHOLD) {
            range(param, grad, m, v, 0, n, k);
            return;
        }
        if (helper == null) {
            helper = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "dinoj-adamw");
                t.setDaemon(true);
                return t;
            });
        }
        long half = n / 2;
        Future<?> second = helper.submit(() -> range(param, grad, m, v, half, n, k));
        range(param, grad, m, v, 0, half, k);
        try {
            second.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during an AdamW update", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("AdamW update failed on its helper thread", e.getCause());
        }
    }

    private record Scalars(float decay, float stepSize, float invSqrtBc2, float b1, float b2, float eps) {
    }

    private static void range(MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v,
                              long from, long to, Scalars k) {
        // Blocks go through float[] scratch: array loops vectorise, per-element segment accesses do not.
        float[][] s = HostLoops.scratch();
        float[] p = s[0];
        float[] g = s[1];
        float[] mb = s[2];
        float[] vb = s[3];
        for (long base = from; base < to; base += HostLoops.BLOCK) {
            int len = (int) Math.min(HostLoops.BLOCK, to - base);
            long offset = base * Float.BYTES;
            MemorySegment.copy(param, F32, offset, p, 0, len);
            MemorySegment.copy(grad, F32, offset, g, 0, len);
            MemorySegment.copy(m, F32, offset, mb, 0, len);
            MemorySegment.copy(v, F32, offset, vb, 0, len);
            block(p, g, mb, vb, len, k);
            MemorySegment.copy(p, 0, param, F32, offset, len);
            MemorySegment.copy(mb, 0, m, F32, offset, len);
            MemorySegment.copy(vb, 0, v, F32, offset, len);
        }
    }

    private static void block(float[] p, float[] g, float[] m, float[] v, int len, Scalars k) {
        float decay = k.decay();
        float stepSize = k.stepSize();
        float invSqrtBc2 = k.invSqrtBc2();
        float b1 = k.b1();
        float b2 = k.b2();
        float oneMinusB1 = 1 - b1;
        float oneMinusB2 = 1 - b2;
        float eps = k.eps();
        for (int i = 0; i < len; i++) {
            float gi = g[i];
            float mi = b1 * m[i] + oneMinusB1 * gi;
            float vi = b2 * v[i] + oneMinusB2 * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] = p[i] * decay - stepSize * mi / ((float) Math.sqrt(vi) * invSqrtBc2 + eps);
        }
    }

    @Override
    public void close() {
        if (helper != null) {
            helper.shutdownNow();
        }
    }
}
