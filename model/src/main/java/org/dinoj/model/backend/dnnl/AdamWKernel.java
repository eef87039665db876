package org.dinoj.model.backend.dnnl;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.dinoj.model.backend.AdamWStep;

/**
 * The fused AdamW update as one pass over four f32 arrays, as torch.optim.AdamW:
 * {@code p *= 1 - lr*wd; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * p -= (lr / (1-b1^t)) * m / (sqrt(v) / sqrt(1-b2^t) + eps)}.
 * Scalars are formed once per call in double and used as floats in the loop.
 */
final class AdamWKernel {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** Updates {@code n} elements of param, m and v in place from grad. */
    void update(MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v, long n, AdamWStep s) {
        double bc1 = 1 - Math.pow(s.beta1(), s.step());
        double bc2 = 1 - Math.pow(s.beta2(), s.step());
        float decay = (float) (1 - (double) s.lr() * s.weightDecay());
        float stepSize = (float) (s.lr() / bc1);
        float invSqrtBc2 = (float) (1 / Math.sqrt(bc2));
        float b1 = s.beta1();
        float b2 = s.beta2();
        float oneMinusB1 = 1 - b1;
        float oneMinusB2 = 1 - b2;
        float eps = s.eps();
        long bytes = n * Float.BYTES;
        for (long off = 0; off < bytes; off += Float.BYTES) {
            float g = grad.get(F32, off);
            float mi = b1 * m.get(F32, off) + oneMinusB1 * g;
            float vi = b2 * v.get(F32, off) + oneMinusB2 * g * g;
            m.set(F32, off, mi);
            v.set(F32, off, vi);
            float p = param.get(F32, off) * decay;
            param.set(F32, off, p - stepSize * mi / ((float) Math.sqrt(vi) * invSqrtBc2 + eps));
        }
    }
}
