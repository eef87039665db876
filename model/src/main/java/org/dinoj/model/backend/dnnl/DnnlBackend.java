package org.dinoj.model.backend.dnnl;

import static org.dinoj.bindings.dnnl.dnnl_h.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.dinoj.bindings.dnnl.DnnlException;
import org.dinoj.bindings.dnnl.DnnlStatus;
import org.dinoj.model.backend.Activation;
import org.dinoj.model.backend.AdamWStep;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.Reduction;
import org.dinoj.model.backend.dnnl.DnnlLayouts.Layout;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Device;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * oneDNN on the CPU. Each call looks its primitive up by a {@link PrimitiveKey} (op, shapes,
 * strides, dtypes, attributes); a primitive, its memory objects and its argument array are made
 * once and re-pointed at each call's tensors, so a steady-state loop allocates nothing. All
 * primitives share one engine, one stream and one growing scratchpad.
 *
 * <p>{@link Precision#BF16} runs matmuls on f32 tensors in oneDNN's bf16 math mode (inputs rounded
 * to bf16, f32 accumulation; AMX where the CPU has it). That mode permits, not forces, bf16: for
 * small shapes oneDNN may pick an f32 kernel, whose result is then closer to the exact product
 * than the bf16-rounded one. On a CPU without bf16 instructions ({@link CpuIsa#hasBf16Math()}) all
 * of them stay f32, and the constructor says so once in the log. Everything else is f32 either way.
 *
 * <p>Not thread-safe: use one backend per thread. Threads inside a call: oneDNN's OpenMP runtime
 * ({@code DINOJ_THREADS} or {@code OMP_NUM_THREADS}).
 */
public final class DnnlBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(DnnlBackend.class);
    /** Beyond this many cached primitives the least recently used is destroyed. */
    private static final int CACHE_CAPACITY = 4096;

    private final Precision precision;
    private final DnnlRuntime runtime;
    /** Per-op timing when DINOJ_PROFILE=1, else null (no timing calls at all). */
    private final OpProfile profile = OpProfile.ENABLED ? new OpProfile() : null;
    private final OpProfile.Entry adamwProfile = profile == null ? null : profile.entry("ADAMW [java]");
    private final OpProfile.Entry linearProfile = profile == null ? null : profile.entry("LINEAR [java]");
    private final OpProfile.Entry fillProfile = profile == null ? null : profile.entry("FILL [java]");
    private final OpProfile.Entry rowsProfile = profile == null ? null : profile.entry("COPY_ROWS [java]");
    private final OpProfile.Entry l2Profile = profile == null ? null : profile.entry("L2_NORMALIZE [java]");
    private final OpProfile.Entry softmaxProfile = profile == null ? null : profile.entry("SOFTMAX_BACKWARD [java]");
    private final OpProfile.Entry binaryProfile = profile == null ? null : profile.entry("BINARY [java]");
    private final PrimitiveCache cache = new PrimitiveCache(CACHE_CAPACITY, profile);
    private final PrimitiveKey key = new PrimitiveKey();
    /** The runtime scale of matmuls with alpha != 1, bound once into each of their primitives. */
    private final MemorySegment alphaCell;
    private final AdamWKernel adamw = new AdamWKernel();
    /** Slots 0-2: layer-norm inputs and output that are strided (x, dy, y or dx). */
    private final DenseStaging staging;
    private MemorySegment fillBuffer = MemorySegment.NULL;
    /** Sets the calling thread's OpenMP team before each primitive: one thread for small ones. */
    private final OmpThreads threads;
    /** Primitives on fewer elements than this (matmuls: 64x as many multiply-adds) run on one thread. */
    private final long serialBelow = serialBelowFromEnv();
    /** f32 ones for sums over rows or columns as matmuls; grown, never shrunk. */
    private MemorySegment ones = MemorySegment.NULL;

    public DnnlBackend(Precision precision) {
        this(precision, 0);
    }

    /**
     * {@code threads}: the OpenMP team of the large primitives (0: the runtime's default, i.e.
     * {@code DINOJ_THREADS}, {@code OMP_NUM_THREADS} or all cores), whichever thread calls.
     */
    public DnnlBackend(Precision precision, int threads) {
        this.threads = new OmpThreads(threads);
        this.precision = precision;
        this.runtime = new DnnlRuntime();
        this.alphaCell = runtime.allocate(Float.BYTES);
        this.staging = new DenseStaging(runtime, 3);
        if (precision == Precision.BF16) {
            warnOnceIfBf16IsF32();
        }
    }

    private static final AtomicBoolean BF16_WARNED = new AtomicBoolean();

    private static void warnOnceIfBf16IsF32() {
        if (!CpuIsa.hasBf16Math() && BF16_WARNED.compareAndSet(false, true)) {
            LOG.warn("precision bf16 asked, but this CPU ({}) has no bf16 instructions: oneDNN runs the "
                    + "matmuls in f32 (no bf16 speed-up on this CPU)", CpuIsa.describe());
        }
    }

    public DnnlBackend() {
        this(Precision.F32);
    }

    @Override
    public String name() {
        return "dnnl";
    }

    @Override
    public Precision precision() {
        return precision;
    }

    @Override
    public TensorAllocator newArena() {
        return new HostArena();
    }

    /** Calls that found their primitive in the cache. */
    public long cacheHits() {
        return cache.hits();
    }

    /** Calls that created a primitive. */
    public long cacheMisses() {
        return cache.misses();
    }

    /**
     * The per-op profile (calls, total and mean time per op kind and oneDNN implementation, and
     * primitive creations) when {@code DINOJ_PROFILE=1} is set, else null.
     */
    public String profileReport() {
        return profile == null ? null : profile.report();
    }

    /** Zeroes the profile (e.g. after warm-up); a no-op when profiling is off. */
    public void resetProfile() {
        if (profile != null) {
            profile.reset();
        }
    }

    /** {@code DINOJ_SERIAL_BELOW} (elements), default 65536: below it a primitive runs on one thread. */
    private static long serialBelowFromEnv() {
        String v = System.getenv("DINOJ_SERIAL_BELOW");
        if (v == null || v.isBlank()) {
            return 1 << 16;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("DINOJ_SERIAL_BELOW=" + v + " is not an element count: set it to a "
                    + "number such as 65536 (0 keeps every primitive on the full thread team)", e);
        }
    }

    /** Picks the team for a primitive touching {@code elements} elements (its largest operand). */
    private void threadsFor(long elements) {
        threads.use(elements < serialBelow);
    }

    /** The OpenMP team of this backend's large primitives. */
    int ompTeamSize() {
        return threads.teamSize();
    }

    /** Primitives held now. */
    public int cachedPrimitives() {
        return cache.size();
    }

    // ---------------------------------------------------------------- matmul

    /**
     * {@code c = alpha * (a @ b) + bias + beta * c}; a {@code [..., M, K]}, b {@code [..., K, N]},
     * c {@code [..., M, N]}, bias {@code [N]} or null. Batch dims of a and b equal c's or 1.
     * alpha is oneDNN's runtime source scale, beta a sum post-op; bias is added after the scale.
     */
    @Override
    public void matmul(Tensor a, Tensor b, Tensor bias, Tensor c, float alpha, float beta) {
        matmul(a, b, bias, c, alpha, beta, precision == Precision.BF16, null);
    }

    /** One primitive: the activation is an eltwise post-op of the matmul, applied while c is in cache. */
    @Override
    public void matmulActivation(Tensor a, Tensor b, Tensor bias, Activation activation, Tensor c) {
        if (a.size(-1) == 0) {
            Backend.super.matmulActivation(a, b, bias, activation, c);
            return;
        }
        matmul(a, b, bias, c, 1f, 0f, precision == Precision.BF16, activation);
    }

    /**
     * As {@link #matmul(Tensor, Tensor, Tensor, Tensor, float, float)}, bf16 math only if asked,
     * with {@code activation} (or null) applied to the result as a post-op.
     */
    private void matmul(Tensor a, Tensor b, Tensor bias, Tensor c, float alpha, float beta, boolean bf16Math,
                        Activation activation) {
        checkMatmul(a, b, bias, c);
        if (c.numel() == 0) {
            return;
        }
        if (a.size(-1) == 0) {
            // An empty sum: c = bias + beta * c.
            matmulEmptyK(bias, c, beta);
            return;
        }
        boolean scaled = alpha != 1f;
        threadsFor(c.numel() * a.size(-1) / 64);
        key.reset(PrimitiveOp.MATMUL).add(a).add(b).add(c).add(bias != null).add(scaled).add(beta).add(bf16Math)
                .add(activation == null ? -1L : activation.ordinal());
        if (bias != null) {
            key.add(bias);
        }
        DnnlPrimitive p = cache.find(key);
        if (p == null) {
            p = cache.put(key, createMatmul(a, b, bias, c, scaled, beta, bf16Math, activation));
        }
        if (scaled) {
            alphaCell.set(ValueLayout.JAVA_FLOAT, 0, alpha);
        }
        p.bind(0, a.data());
        p.bind(1, b.data());
        p.bind(2, c.data());
        if (bias != null) {
            p.bind(3, bias.data());
        }
        p.execute(runtime);
    }

    private void checkMatmul(Tensor a, Tensor b, Tensor bias, Tensor c) {
        requireHost(a, "a");
        requireHost(b, "b");
        requireHost(c, "c");
        if (a.rank() < 2 || b.rank() < 2 || c.rank() < 2) {
            throw new IllegalArgumentException("matmul needs a, b and c of rank >= 2, got a=" + a + " b=" + b + " c=" + c);
        }
        if (a.size(-1) != b.size(-2) || c.size(-2) != a.size(-2) || c.size(-1) != b.size(-1)
                || a.rank() > c.rank() || b.rank() > c.rank()) {
            throw new IllegalArgumentException("matmul shapes do not agree: a=" + a + " b=" + b + " c=" + c
                    + " (expected a [..., M, K], b [..., K, N], c [..., M, N])");
        }
        int r = c.rank();
        for (int i = 0; i < r - 2; i++) {
            long cb = c.size(i);
            int ia = i - (r - a.rank());
            int ib = i - (r - b.rank());
            long ab = ia < 0 ? 1 : a.size(ia);
            long bb = ib < 0 ? 1 : b.size(ib);
            if ((ab != cb && ab != 1) || (bb != cb && bb != 1)) {
                throw new IllegalArgumentException("matmul batch dimension " + i + " of a=" + a + " or b=" + b
                        + " is neither c's (" + c + ") nor 1");
            }
        }
        if (bias != null) {
            requireHost(bias, "bias");
            if (bias.numel() != c.size(-1) || !bias.isContiguous()) {
                throw new IllegalArgumentException("matmul bias " + bias + " must be a contiguous [" + c.size(-1) + "]");
            }
        }
    }

    private DnnlPrimitive createMatmul(Tensor a, Tensor b, Tensor bias, Tensor c, boolean scaled, float beta,
                                       boolean bf16Math, Activation activation) {
        int r = c.rank();
        Layout la = DnnlLayouts.padded(a, r);
        Layout lb = DnnlLayouts.padded(b, r);
        Layout lc = DnnlLayouts.of(c);
        // [B..., M, K] @ [K, N] with evenly strided rows folds into one [B*M, K] @ [K, N]: one big GEMM.
        if (r > 2 && allOnes(lb.dims(), r - 2) && Arrays.equals(la.dims(), 0, r - 2, lc.dims(), 0, r - 2)) {
            long sa = DnnlLayouts.collapsedStride(la.dims(), la.strides(), r - 2);
            long sc = DnnlLayouts.collapsedStride(lc.dims(), lc.strides(), r - 2);
            if (sa > 0 && sc > 0) {
                long rows = c.numel() / c.size(-1);
                la = new Layout(new long[] {rows, a.size(-1)}, DnnlLayouts.normalized(new long[] {rows, a.size(-1)}, new long[] {sa, a.stride(-1)}));
                lc = new Layout(new long[] {rows, c.size(-1)}, DnnlLayouts.normalized(new long[] {rows, c.size(-1)}, new long[] {sc, c.stride(-1)}));
                lb = new Layout(new long[] {b.size(-2), b.size(-1)}, DnnlLayouts.normalized(new long[] {b.size(-2), b.size(-1)}, new long[] {b.stride(-2), b.stride(-1)}));
            }
        }
        int n = la.dims().length;
        try (CreationScope scope = new CreationScope()) {
            MemorySegment aMd = scope.memoryDesc(a.dtype(), la.dims(), la.strides());
            MemorySegment bMd = scope.memoryDesc(b.dtype(), lb.dims(), lb.strides());
            MemorySegment cMd = scope.memoryDesc(c.dtype(), lc.dims(), lc.strides());
            MemorySegment biasMd = MemorySegment.NULL;
            if (bias != null) {
                long[] dims = new long[n];
                Arrays.fill(dims, 1);
                dims[n - 1] = c.size(-1);
                biasMd = scope.memoryDesc(bias.dtype(), dims, DnnlLayouts.dense(dims));
            }
            MemorySegment attr = scope.attr(bf16Math);
            if (scaled) {
                DnnlStatus.check(dnnl_primitive_attr_set_scales_mask(attr, DNNL_ARG_SRC(), 0), "dnnl_primitive_attr_set_scales_mask");
            }
            if (beta != 0f || activation != null) {
                MemorySegment ops = scope.postOps();
                if (beta != 0f) {
                    DnnlStatus.check(dnnl_post_ops_append_sum(ops, beta, 0, dnnl_data_type_undef()), "dnnl_post_ops_append_sum");
                }
                if (activation != null) {
                    DnnlStatus.check(dnnl_post_ops_append_eltwise(ops, activationAlg(activation), activationAlpha(activation), 0f),
                            "dnnl_post_ops_append_eltwise");
                }
                DnnlStatus.check(dnnl_primitive_attr_set_post_ops(attr, ops), "dnnl_primitive_attr_set_post_ops");
            }
            MemorySegment cell = scope.out();
            create(dnnl_matmul_primitive_desc_create(cell, runtime.engine(), aMd, bMd, biasMd, cMd, attr),
                    "dnnl_matmul_primitive_desc_create", "matmul a=" + a + " b=" + b + " c=" + c);
            MemorySegment pd = scope.primitiveDesc(cell);
            int[] args = {DNNL_ARG_SRC(), DNNL_ARG_WEIGHTS(), DNNL_ARG_DST(), DNNL_ARG_BIAS(), DNNL_ARG_ATTR_SCALES() | DNNL_ARG_SRC()};
            MemorySegment scaleMd = scaled ? scope.memoryDesc(DType.F32, new long[] {1}, new long[] {1}) : MemorySegment.NULL;
            MemorySegment[] mds = {aMd, bMd, cMd, biasMd, scaleMd};
            // Slots: 0 a, 1 b, 2 c, then bias (3) if any, then the scale.
            int count = 3 + (bias != null ? 1 : 0) + (scaled ? 1 : 0);
            int[] slotArgs = new int[count];
            MemorySegment[] slotMds = new MemorySegment[count];
            int k = 0;
            for (int i = 0; i < args.length; i++) {
                if ((i == 3 && bias == null) || (i == 4 && !scaled)) {
                    continue;
                }
                slotArgs[k] = args[i];
                slotMds[k++] = mds[i];
            }
            DnnlPrimitive p = new DnnlPrimitive(runtime, scope, pd, slotArgs, slotMds);
            if (scaled) {
                p.bind(count - 1, alphaCell);
            }
            LOG.debug("matmul {} x {} -> {} (bf16 math {}, post-op {}): {}", a, b, c, bf16Math, activation, p.implementation());
            return p;
        }
    }

    private void matmulEmptyK(Tensor bias, Tensor c, float beta) {
        if (beta == 0f) {
            fill(c, 0f);
        } else {
            linear(c, beta, 0f, c);
        }
        if (bias != null) {
            long[] shape = new long[c.rank()];
            Arrays.fill(shape, 1);
            shape[shape.length - 1] = bias.numel();
            binary(BinaryOp.ADD, c, bias.view(shape), c);
        }
    }

    private static boolean allOnes(long[] dims, int count) {
        for (int i = 0; i < count; i++) {
            if (dims[i] != 1) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- layer norm

    /** x, y {@code [..., D]}; gamma, beta {@code [D]}; mean, variance f32 with one value per row. */
    @Override
    public void layerNormForward(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean, Tensor variance) {
        checkRowOp("layerNormForward", x, y);
        checkVector("gamma", gamma, x.size(-1));
        checkVector("beta", beta, x.size(-1));
        checkStats(x, mean, variance);
        if (x.numel() == 0) {
            return;
        }
        Tensor xs = denseInput(0, x);
        Tensor ys = DenseStaging.isDense(y) ? y : staging.like(1, y);
        threadsFor(x.numel());
        key.reset(PrimitiveOp.LAYER_NORM_FORWARD).add(xs).add(ys).add(eps);
        DnnlPrimitive p = cache.find(key);
        if (p == null) {
            p = cache.put(key, createLayerNormForward(xs, ys, eps));
        }
        p.bind(0, xs.data());
        p.bind(1, ys.data());
        p.bind(2, mean.data());
        p.bind(3, variance.data());
        p.bind(4, gamma.data());
        p.bind(5, beta.data());
        p.execute(runtime);
        if (ys != y) {
            copy(ys, y);
        }
    }

    /** x itself when its rows are packed, else a packed copy in staging slot {@code slot}. */
    private Tensor denseInput(int slot, Tensor x) {
        if (DenseStaging.isDense(x)) {
            return x;
        }
        Tensor staged = staging.like(slot, x);
        copy(x, staged);
        return staged;
    }

    private DnnlPrimitive createLayerNormForward(Tensor x, Tensor y, float eps) {
        try (CreationScope scope = new CreationScope()) {
            MemorySegment xMd = rowsDesc(scope, x, "x");
            MemorySegment yMd = rowsDesc(scope, y, "y");
            long rows = x.numel() / x.size(-1);
            MemorySegment statMd = scope.memoryDesc(DType.F32, new long[] {rows}, new long[] {1});
            MemorySegment vecMd = scope.memoryDesc(DType.F32, new long[] {x.size(-1)}, new long[] {1});
            MemorySegment cell = scope.out();
            create(dnnl_layer_normalization_forward_primitive_desc_create(cell, runtime.engine(), dnnl_forward_training(),
                            xMd, yMd, statMd, eps, dnnl_use_scale() | dnnl_use_shift(), scope.attr(false)),
                    "dnnl_layer_normalization_forward_primitive_desc_create", "layer norm x=" + x + " y=" + y);
            MemorySegment pd = scope.primitiveDesc(cell);
            return new DnnlPrimitive(runtime, scope, pd,
                    new int[] {DNNL_ARG_SRC(), DNNL_ARG_DST(), DNNL_ARG_MEAN(), DNNL_ARG_VARIANCE(), DNNL_ARG_SCALE(), DNNL_ARG_SHIFT()},
                    new MemorySegment[] {xMd, yMd, statMd, statMd, vecMd, vecMd});
        }
    }

    /** dx, dy like x {@code [..., D]}; dgamma, dbeta {@code [D]} (written, not accumulated). */
    @Override
    public void layerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor variance, float eps, Tensor dy,
                                  Tensor dx, Tensor dgamma, Tensor dbeta) {
        checkRowOp("layerNormBackward", x, dy);
        checkRowOp("layerNormBackward", x, dx);
        checkVector("gamma", gamma, x.size(-1));
        checkVector("dgamma", dgamma, x.size(-1));
        checkVector("dbeta", dbeta, x.size(-1));
        checkStats(x, mean, variance);
        if (x.numel() == 0) {
            return;
        }
        Tensor xs = denseInput(0, x);
        Tensor dys = denseInput(1, dy);
        Tensor dxs = DenseStaging.isDense(dx) ? dx : staging.like(2, dx);
        threadsFor(x.numel());
        key.reset(PrimitiveOp.LAYER_NORM_BACKWARD).add(xs).add(dys).add(dxs).add(eps);
        DnnlPrimitive p = cache.find(key);
        if (p == null) {
            p = cache.put(key, createLayerNormBackward(xs, dys, dxs, eps));
        }
        p.bind(0, xs.data());
        p.bind(1, mean.data());
        p.bind(2, variance.data());
        p.bind(3, dys.data());
        p.bind(4, gamma.data());
        p.bind(5, dxs.data());
        p.bind(6, dgamma.data());
        p.bind(7, dbeta.data());
        p.execute(runtime);
        if (dxs != dx) {
            copy(dxs, dx);
        }
    }

    private DnnlPrimitive createLayerNormBackward(Tensor x, Tensor dy, Tensor dx, float eps) {
        try (CreationScope scope = new CreationScope()) {
            MemorySegment xMd = rowsDesc(scope, x, "x");
            MemorySegment dyMd = rowsDesc(scope, dy, "dy");
            MemorySegment dxMd = rowsDesc(scope, dx, "dx");
            long rows = x.numel() / x.size(-1);
            MemorySegment statMd = scope.memoryDesc(DType.F32, new long[] {rows}, new long[] {1});
            MemorySegment vecMd = scope.memoryDesc(DType.F32, new long[] {x.size(-1)}, new long[] {1});
            int flags = dnnl_use_scale() | dnnl_use_shift();
            MemorySegment cell = scope.out();
            String what = "layer norm backward x=" + x + " dy=" + dy + " dx=" + dx;
            create(dnnl_layer_normalization_forward_primitive_desc_create(cell, runtime.engine(), dnnl_forward_training(),
                    xMd, xMd, statMd, eps, flags, scope.attr(false)), "dnnl_layer_normalization_forward_primitive_desc_create", what);
            MemorySegment hint = scope.primitiveDesc(cell);
            create(dnnl_layer_normalization_backward_primitive_desc_create(cell, runtime.engine(), dnnl_backward(),
                    dxMd, dyMd, xMd, statMd, eps, flags, hint, scope.attr(false)),
                    "dnnl_layer_normalization_backward_primitive_desc_create", what);
            MemorySegment pd = scope.primitiveDesc(cell);
            return new DnnlPrimitive(runtime, scope, pd,
                    new int[] {DNNL_ARG_SRC(), DNNL_ARG_MEAN(), DNNL_ARG_VARIANCE(), DNNL_ARG_DIFF_DST(), DNNL_ARG_SCALE(),
                            DNNL_ARG_DIFF_SRC(), DNNL_ARG_DIFF_SCALE(), DNNL_ARG_DIFF_SHIFT()},
                    new MemorySegment[] {xMd, statMd, statMd, dyMd, vecMd, dxMd, vecMd, vecMd});
        }
    }

    // ---------------------------------------------------------------- softmax

    /** Softmax or log-softmax over the last axis of x {@code [..., D]}; in place allowed. */
    @Override
    public void softmaxForward(Tensor x, Tensor y, boolean log) {
        checkRowOp("softmaxForward", x, y);
        if (x.numel() == 0) {
            return;
        }
        threadsFor(x.numel());
        key.reset(PrimitiveOp.SOFTMAX_FORWARD).add(x).add(y).add(log);
        DnnlPrimitive p = cache.find(key);
        if (p == null) {
            p = cache.put(key, createSoftmaxForward(x, y, log));
        }
        p.bind(0, x.data());
        p.bind(1, y.data());
        p.execute(runtime);
    }

    private DnnlPrimitive createSoftmaxForward(Tensor x, Tensor y, boolean log) {
        try (CreationScope scope = new CreationScope()) {
            MemorySegment xMd = rowsDesc(scope, x, "x");
            MemorySegment yMd = rowsDesc(scope, y, "y");
            MemorySegment cell = scope.out();
            create(dnnl_softmax_forward_primitive_desc_create(cell, runtime.engine(), dnnl_forward_training(),
                    softmaxAlg(log), xMd, yMd, 1, scope.attr(false)), "dnnl_softmax_forward_primitive_desc_create",
                    "softmax x=" + x + " y=" + y);
            return new DnnlPrimitive(runtime, scope, scope.primitiveDesc(cell),
                    new int[] {DNNL_ARG_SRC(), DNNL_ARG_DST()}, new MemorySegment[] {xMd, yMd});
        }
    }

    /**
     * dx {@code [..., D]} from the forward output y and dy; in place allowed (dx == dy). Where
     * oneDNN only has its reference kernel for this softmax backward (oneDNN 3.8's jit kernels
     * need AVX-512) and the tensors are packed f32, a host loop does it instead: on an AVX2 EPYC
     * the reference kernel took 2.5% of a training step.
     */
    @Override
    public void softmaxBackward(Tensor y, Tensor dy, Tensor dx, boolean log) {
        checkRowOp("softmaxBackward", y, dy);
        checkRowOp("softmaxBackward", y, dx);
        if (y.numel() == 0) {
            return;
        }
        DnnlPrimitive p = softmaxBackwardPrimitive(y, dy, dx, log);
        // Log-softmax stays on oneDNN: its backward needs exp(y), which a Java loop computes slowly.
        if (!log && p.isReference() && packedF32(y, dy, dx)) {
            long t0 = softmaxProfile != null ? System.nanoTime() : 0;
            HostLoops.softmaxRowsBackward(y.data(), dy.data(), dx.data(), org.dinoj.model.backend.RowCopies.rowCount(y),
                    (int) y.size(-1));
            if (softmaxProfile != null) {
                softmaxProfile.add(System.nanoTime() - t0);
            }
            return;
        }
        executeSoftmaxBackward(p, y, dy, dx);
    }

    /**
     * {@link #softmaxBackward} (not log) on oneDNN's primitive whatever its implementation: the
     * baseline that {@code dinoj bench attention} and the tests hold the host loop against.
     */
    public void softmaxBackwardOnOneDnn(Tensor y, Tensor dy, Tensor dx) {
        checkRowOp("softmaxBackward", y, dy);
        checkRowOp("softmaxBackward", y, dx);
        if (y.numel() > 0) {
            executeSoftmaxBackward(softmaxBackwardPrimitive(y, dy, dx, false), y, dy, dx);
        }
    }

    /** The implementation oneDNN picked for this softmax backward, e.g. "ref:any". */
    public String softmaxBackwardImplementation(Tensor y, Tensor dy, Tensor dx) {
        return softmaxBackwardPrimitive(y, dy, dx, false).implementation();
    }

    private DnnlPrimitive softmaxBackwardPrimitive(Tensor y, Tensor dy, Tensor dx, boolean log) {
        key.reset(PrimitiveOp.SOFTMAX_BACKWARD).add(y).add(dy).add(dx).add(log);
        DnnlPrimitive p = cache.find(key);
        return p != null ? p : cache.put(key, createSoftmaxBackward(y, dy, dx, log));
    }

    private void executeSoftmaxBackward(DnnlPrimitive p, Tensor y, Tensor dy, Tensor dx) {
        threadsFor(y.numel());
        p.bind(0, y.data());
        p.bind(1, dy.data());
        p.bind(2, dx.data());
        p.execute(runtime);
    }

    private DnnlPrimitive createSoftmaxBackward(Tensor y, Tensor dy, Tensor dx, boolean log) {
        try (CreationScope scope = new CreationScope()) {
            MemorySegment yMd = rowsDesc(scope, y, "y");
            MemorySegment dyMd = rowsDesc(scope, dy, "dy");
            MemorySegment dxMd = rowsDesc(scope, dx, "dx");
            MemorySegment cell = scope.out();
            String what = "softmax backward y=" + y + " dy=" + dy + " dx=" + dx;
            create(dnnl_softmax_forward_primitive_desc_create(cell, runtime.engine(), dnnl_forward_training(),
                    softmaxAlg(log), yMd, yMd, 1, scope.attr(false)), "dnnl_softmax_forward_primitive_desc_create", what);
            MemorySegment hint = scope.primitiveDesc(cell);
            create(dnnl_softmax_backward_primitive_desc_create(cell, runtime.engine(), softmaxAlg(log), dxMd, dyMd, yMd, 1,
                    hint, scope.attr(false)), "dnnl_softmax_backward_primitive_desc_create", what);
            return new DnnlPrimitive(runtime, scope, scope.primitiveDesc(cell),
                    new int[] {DNNL_ARG_DST(), DNNL_ARG_DIFF_DST(), DNNL_ARG_DIFF_SRC()}, new MemorySegment[] {yMd, dyMd, dxMd});
        }
    }

    private static int softmaxAlg(boolean log) {
        return log ? dnnl_softmax_log() : dnnl_softmax_accurate();
    }

    // ---------------------------------------------------------------- element-wise

    /** Element-wise activation of x into y (same shape, any strides); in place allowed. */
    @Override
    public void activationForward(Activation activation, Tensor x, Tensor y) {
        checkSameShape("activationForward", x, y);
        if (x.numel() == 0) {
            return;
        }
        eltwiseForward(PrimitiveOp.ELTWISE_FORWARD, activationAlg(activation), activationAlpha(activation), 0f, x, y);
    }

    /** {@code out = alpha * x + beta} (same shape, any strides); in place allowed. */
    @Override
    public void linear(Tensor x, float alpha, float beta, Tensor out) {
        checkSameShape("linear", x, out);
        if (x.numel() == 0) {
            return;
        }
        if (x.device() == Device.CPU && out.device() == Device.CPU && x.dtype() == DType.F32
                && out.dtype() == DType.F32 && x.isContiguous() && out.isContiguous()) {
            // alpha and beta change from step to step (EMA momentum, clipping factors, temperatures)
            // and a oneDNN eltwise primitive bakes them in: each new value would create and keep a
            // primitive. A plain loop is as fast for this memory-bound op and allocates nothing.
            long t0 = linearProfile != null ? System.nanoTime() : 0;
            HostLoops.linear(x.data(), alpha, beta, out.data(), x.numel());
            if (linearProfile != null) {
                linearProfile.add(System.nanoTime() - t0);
            }
            return;
        }
        eltwiseForward(PrimitiveOp.LINEAR, dnnl_eltwise_linear(), alpha, beta, x, out);
    }

    private void eltwiseForward(PrimitiveOp op, int alg, float alpha, float beta, Tensor x, Tensor y) {
        threadsFor(x.numel());
        key.reset(op).add(x).add(y).add(alg).add(alpha).add(beta);
        DnnlPrimitive p = cache.find(key);
        if (p == null) {
            p = cache.put(key, createEltwiseForward(alg, alpha, beta, x, y));
        }
        p.bind(0, x.data());
        p.bind(1, y.data());
        p.execute(runtime);
    }

    private DnnlPrimitive createEltwiseForward(int alg, float alpha, float beta, Tensor x, Tensor y) {
        boolean flat = DnnlLayouts.allContiguousSameShape(x, y);
        try (CreationScope scope = new CreationScope()) {
            MemorySegment xMd = desc(scope, x, flat);
            MemorySegment yMd = desc(scope, y, flat);
            MemorySegment cell = scope.out();
            create(dnnl_eltwise_forward_primitive_desc_create(cell, runtime.engine(), dnnl_forward_training(), alg,
                    xMd, yMd, alpha, beta, scope.attr(false)), "dnnl_eltwise_forward_primitive_desc_create",
                    "element-wise op on x=" + x + " y=" + y);
            return new DnnlPrimitive(runtime, scope, scope.primitiveDesc(cell),
                    new int[] {DNNL_ARG_SRC(), DNNL_ARG_DST()}, new MemorySegment[] {xMd, yMd});
        }
    }

    /** {@code dx = f'(x) * dy} (same shapes, any strides); in place allowed (dx == dy). */
    @Override
    public void activationBackward(Activation activation, Tensor x, Tensor dy, Tensor dx) {
        checkSameShape("activationBackward", x, dy);
        checkSameShape("activationBackward", x, dx);
        if (x.numel() == 0) {
            return;
        }
        int alg = activationAlg(activation);
        float alpha = activationAlpha(activation);
        threadsFor(x.numel());
        key.reset(PrimitiveOp.ELTWISE_BACKWARD).add(x).add(dy).add(dx).add(alg);
        DnnlPrimitive p = cache.find(key);
        if (p == null) {
            p = cache.put(key, createEltwiseBackward(alg, alpha, x, dy, dx));
        }
        p.bind(0, x.data());
        p.bind(1, dy.data());
        p.bind(2, dx.data());
        p.execute(runtime);
    }

    private DnnlPrimitive createEltwiseBackward(int alg, float alpha, Tensor x, Tensor dy, Tensor dx) {
        boolean flat = DnnlLayouts.allContiguousSameShape(x, dy, dx);
        try (CreationScope scope = new CreationScope()) {
            MemorySegment xMd = desc(scope, x, flat);
            MemorySegment dyMd = desc(scope, dy, flat);
            MemorySegment dxMd = desc(scope, dx, flat);
            MemorySegment cell = scope.out();
            String what = "activation backward x=" + x + " dy=" + dy + " dx=" + dx;
            create(dnnl_eltwise_forward_primitive_desc_create(cell, runtime.engine(), dnnl_forward_training(), alg,
                    xMd, xMd, alpha, 0f, scope.attr(false)), "dnnl_eltwise_forward_primitive_desc_create", what);
            MemorySegment hint = scope.primitiveDesc(cell);
            create(dnnl_eltwise_backward_primitive_desc_create(cell, runtime.engine(), alg, dxMd, dyMd, xMd, alpha, 0f,
                    hint, scope.attr(false)), "dnnl_eltwise_backward_primitive_desc_create", what);
            return new DnnlPrimitive(runtime, scope, scope.primitiveDesc(cell),
                    new int[] {DNNL_ARG_SRC(), DNNL_ARG_DIFF_DST(), DNNL_ARG_DIFF_SRC()}, new MemorySegment[] {xMd, dyMd, dxMd});
        }
    }

    private static int activationAlg(Activation activation) {
        return switch (activation) {
            case GELU_ERF -> dnnl_eltwise_gelu_erf();
            case SILU -> dnnl_eltwise_swish();
            case RELU -> dnnl_eltwise_relu();
        };
    }

    /** swish(x) = x * sigmoid(alpha x) with alpha 1 is SiLU; relu's alpha is its negative slope, 0. */
    private static float activationAlpha(Activation activation) {
        return activation == Activation.SILU ? 1f : 0f;
    }

    /** {@code out = a op b}, b broadcast to a's shape (same rank, dims equal or 1); in place allowed. */
    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        checkSameShape("binary", a, out);
        requireHost(b, "b");
        if (b.rank() != a.rank()) {
            throw new IllegalArgumentException("binary " + op + " needs b of a's rank: a=" + a + " b=" + b);
        }
        for (int i = 0; i < a.rank(); i++) {
            if (b.size(i) != a.size(i) && b.size(i) != 1) {
                throw new IllegalArgumentException("binary " + op + " cannot broadcast b=" + b + " to a=" + a
                        + " (dimension " + i + ")");
            }
        }
        if (a.numel() == 0) {
            return;
        }
        if (binaryPerBlock(op, a, b, out)) {
            return;
        }
        int alg = binaryAlg(op);
        threadsFor(a.numel());
        key.reset(PrimitiveOp.BINARY).add(a).add(b).add(out).add(alg);
        DnnlPrimitive p = cache.find(key);
        if (p == null) {
            p = cache.put(key, createBinary(alg, a, b, out));
        }
        p.bind(0, a.data());
        p.bind(1, b.data());
        p.bind(2, out.data());
        p.execute(runtime);
    }

    /**
     * One binary primitive: x * scale with a sum post-op onto out, so out is read and written once.
     * x is left unchanged here (the interface allows either).
     */
    @Override
    public void addScaled(Tensor x, Tensor scale, Tensor out) {
        checkSameShape("addScaled", x, out);
        requireHost(scale, "scale");
        if (x.rank() != 2 || scale.rank() != 2 || scale.size(0) != 1 || scale.size(1) != x.size(1)) {
            throw new IllegalArgumentException("addScaled needs x and out [R, D] and scale [1, D], got x=" + x
                    + " scale=" + scale + " out=" + out);
        }
        if (x.numel() == 0) {
            return;
        }
        threadsFor(x.numel());
        key.reset(PrimitiveOp.BINARY).add(x).add(scale).add(out).add(dnnl_binary_mul()).add(true);
        DnnlPrimitive p = cache.find(key);
        if (p == null) {
            p = cache.put(key, createScaledSum(x, scale, out));
        }
        p.bind(0, x.data());
        p.bind(1, scale.data());
        p.bind(2, out.data());
        p.execute(runtime);
    }

    private DnnlPrimitive createScaledSum(Tensor x, Tensor scale, Tensor out) {
        try (CreationScope scope = new CreationScope()) {
            MemorySegment xMd = desc(scope, x, false);
            MemorySegment scaleMd = desc(scope, scale, false);
            MemorySegment outMd = desc(scope, out, false);
            MemorySegment attr = scope.attr(false);
            MemorySegment ops = scope.postOps();
            DnnlStatus.check(dnnl_post_ops_append_sum(ops, 1f, 0, dnnl_data_type_undef()), "dnnl_post_ops_append_sum");
            DnnlStatus.check(dnnl_primitive_attr_set_post_ops(attr, ops), "dnnl_primitive_attr_set_post_ops");
            MemorySegment cell = scope.out();
            create(dnnl_binary_primitive_desc_create(cell, runtime.engine(), dnnl_binary_mul(), xMd, scaleMd, outMd, attr),
                    "dnnl_binary_primitive_desc_create", "addScaled x=" + x + " scale=" + scale + " out=" + out);
            return new DnnlPrimitive(runtime, scope, scope.primitiveDesc(cell),
                    new int[] {DNNL_ARG_SRC_0(), DNNL_ARG_SRC_1(), DNNL_ARG_DST()}, new MemorySegment[] {xMd, scaleMd, outMd});
        }
    }

    /**
     * b {@code [1, ...]} broadcast over the first dimension of a and out {@code [B, ...]} that are
     * batches of packed blocks at a batch stride (e.g. position embeddings added into a token
     * slice): oneDNN has only its reference kernel for that strided broadcast, so this runs one
     * flat, vectorised binary per block, or a host loop for small f32 blocks. False, doing nothing,
     * for other shapes.
     */
    private boolean binaryPerBlock(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        int r = a.rank();
        if (r < 2 || b.size(0) != 1 || a.size(0) < 2 || (a.isContiguous() && out.isContiguous())) {
            return false;
        }
        long inner = 1;
        for (int i = r - 1; i >= 1; i--) {
            long size = a.size(i);
            if (b.size(i) != size || (size > 1 && (a.stride(i) != inner || b.stride(i) != inner || out.stride(i) != inner))) {
                return false;
            }
            inner *= size;
        }
        if (inner < 1024) {
            // Many tiny blocks (local crops' few patches): a call per block costs more than its work,
            // and oneDNN's strided kernel is the reference one (15 ms for [384, 4, 192]).
            if (a.dtype() != DType.F32 || b.dtype() != DType.F32 || out.dtype() != DType.F32) {
                return false;
            }
            long t0 = binaryProfile != null ? System.nanoTime() : 0;
            HostLoops.binaryBlocks(op, a.data(), a.stride(0), b.data(), out.data(), out.stride(0), a.size(0), (int) inner);
            if (binaryProfile != null) {
                binaryProfile.add(System.nanoTime() - t0);
            }
            return true;
        }
        Tensor bFlat = Tensor.of(b.data().asSlice(0, inner * b.dtype().byteSize()), b.dtype(), inner);
        for (long j = 0; j < a.size(0); j++) {
            binary(op, block(a, j, inner), bFlat, block(out, j, inner));
        }
        return true;
    }

    /** Block j {@code [inner]} of t {@code [B, ...]} whose trailing dimensions are packed. */
    private static Tensor block(Tensor t, long j, long inner) {
        long bytes = t.dtype().byteSize();
        return Tensor.of(t.data().asSlice(j * t.stride(0) * bytes, inner * bytes), t.dtype(), inner);
    }

    private DnnlPrimitive createBinary(int alg, Tensor a, Tensor b, Tensor out) {
        boolean flat = DnnlLayouts.allContiguousSameShape(a, b, out);
        try (CreationScope scope = new CreationScope()) {
            MemorySegment aMd = desc(scope, a, flat);
            MemorySegment bMd = desc(scope, b, flat);
            MemorySegment outMd = desc(scope, out, flat);
            MemorySegment cell = scope.out();
            create(dnnl_binary_primitive_desc_create(cell, runtime.engine(), alg, aMd, bMd, outMd, scope.attr(false)),
                    "dnnl_binary_primitive_desc_create", "binary a=" + a + " b=" + b + " out=" + out);
            return new DnnlPrimitive(runtime, scope, scope.primitiveDesc(cell),
                    new int[] {DNNL_ARG_SRC_0(), DNNL_ARG_SRC_1(), DNNL_ARG_DST()}, new MemorySegment[] {aMd, bMd, outMd});
        }
    }

    private static int binaryAlg(BinaryOp op) {
        return switch (op) {
            case ADD -> dnnl_binary_add();
            case SUB -> dnnl_binary_sub();
            case MUL -> dnnl_binary_mul();
            case DIV -> dnnl_binary_div();
            case MAX -> dnnl_binary_max();
            case MIN -> dnnl_binary_min();
        };
    }

    // ---------------------------------------------------------------- reductions, copies

    /** out has x's rank with each reduced dimension 1; f32 accumulation. */
    @Override
    public void reduce(Reduction op, Tensor x, Tensor out) {
        requireHost(x, "x");
        requireHost(out, "out");
        if (out.rank() != x.rank()) {
            throw new IllegalArgumentException("reduce " + op + " needs out of x's rank: x=" + x + " out=" + out);
        }
        boolean reduces = false;
        for (int i = 0; i < x.rank(); i++) {
            if (out.size(i) != x.size(i) && out.size(i) != 1) {
                throw new IllegalArgumentException("reduce " + op + " output " + out + " does not match x=" + x
                        + " in dimension " + i + " (must be equal or 1)");
            }
            reduces |= out.size(i) != x.size(i);
        }
        if (x.numel() == 0) {
            fill(out, op == Reduction.MAX ? Float.NEGATIVE_INFINITY : (op == Reduction.MEAN ? Float.NaN : 0f));
            return;
        }
        if (!reduces) {
            // Nothing to reduce: each output is its single input (squared for a sum of squares).
            if (op == Reduction.SUM_OF_SQUARES) {
                binary(BinaryOp.MUL, x, x, out);
            } else {
                copy(x, out);
            }
            return;
        }
        if ((op == Reduction.SUM && sumAsMatmul(x, out)) || (op == Reduction.SUM_OF_SQUARES && sumOfSquaresAsDot(x, out))) {
            return;
        }
        int alg = switch (op) {
            case SUM -> dnnl_reduction_sum();
            case SUM_OF_SQUARES -> dnnl_reduction_norm_lp_power_p_sum();
            case MEAN -> dnnl_reduction_mean();
            case MAX -> dnnl_reduction_max();
        };
        threadsFor(x.numel());
        key.reset(PrimitiveOp.REDUCTION).add(x).add(out).add(alg);
        DnnlPrimitive p = cache.find(key);
        if (p == null) {
            p = cache.put(key, createReduction(alg, x, out));
        }
        p.bind(0, x.data());
        p.bind(1, out.data());
        p.execute(runtime);
    }

    /**
     * Sums over all rows ({@code out [1, ..., 1, D]}) or along each row ({@code out [..., 1]}) of
     * an f32 x {@code [..., D]} whose rows are evenly strided, as an f32 matmul with a ones
     * vector: oneDNN's reduction kernels are far slower at these shapes (bias gradients). False
     * when x or out does not fit, and nothing was done.
     */
    private boolean sumAsMatmul(Tensor x, Tensor out) {
        if (x.dtype() != DType.F32 || out.dtype() != DType.F32 || !out.isContiguous()) {
            return false;
        }
        if (out.numel() == 1 && x.isContiguous()) {
            // out [1, 1] = x [1, n] @ ones [n, 1]
            long n = x.numel();
            matmul(Tensor.of(x.data(), DType.F32, 1, n), onesVector(n).view(n, 1), null,
                    Tensor.of(out.data(), DType.F32, 1, 1), 1f, 0f, false, null);
            return true;
        }
        if (sumOverLeadingDim(x, out)) {
            return true;
        }
        Layout rows = DnnlLayouts.rows(x);
        if (rows == null || (x.rank() > 1 && rows.dims()[0] > 1
                && DnnlLayouts.collapsedStride(x.shape(), x.strides(), x.rank() - 2) == 0)) {
            return false; // no rows, or rows broadcast with stride 0
        }
        long n = rows.dims()[0];
        long d = rows.dims()[1];
        Tensor x2 = new Tensor(x.data(), DType.F32, Device.CPU, rows.dims(), rows.strides());
        boolean overRows = out.numel() == d && out.size(-1) == d;
        boolean alongRows = out.numel() == n && out.size(-1) == 1 && d > 1;
        if (overRows && n > 1) {
            // out [1, D] = ones [1, N] @ x [N, D]
            matmul(onesVector(n).view(1, n), x2, null, Tensor.of(out.data(), DType.F32, 1, d), 1f, 0f, false, null);
            return true;
        }
        if (alongRows) {
            // out [N, 1] = x [N, D] @ ones [D, 1]
            matmul(x2, onesVector(d).view(d, 1), null, Tensor.of(out.data(), DType.F32, n, 1), 1f, 0f, false, null);
            return true;
        }
        return false;
    }

    /**
     * x {@code [B, ...]} summed over its first dimension into out {@code [1, ...]}, when x's
     * trailing dimensions are packed (a batch of contiguous blocks at any batch stride): out
     * {@code [1, R]} = ones {@code [1, B]} @ x {@code [B, R]}. Position-embedding gradients.
     */
    private boolean sumOverLeadingDim(Tensor x, Tensor out) {
        int r = x.rank();
        if (r < 3 || out.size(0) != 1 || x.size(0) < 2 || x.stride(0) <= 0) {
            return false;
        }
        long inner = 1;
        for (int i = r - 1; i >= 1; i--) {
            if (out.size(i) != x.size(i) || (x.size(i) > 1 && x.stride(i) != inner)) {
                return false;
            }
            inner *= x.size(i);
        }
        long b = x.size(0);
        Tensor x2 = new Tensor(x.data(), DType.F32, Device.CPU, new long[] {b, inner}, new long[] {x.stride(0), 1});
        matmul(onesVector(b).view(1, b), x2, null, Tensor.of(out.data(), DType.F32, 1, inner), 1f, 0f, false, null);
        return true;
    }

    /**
     * The sum of squares of all of a contiguous f32 x into a one-element out, as the f32 dot
     * product {@code x [1, n] @ x [n, 1]} (gradient norms for clipping). False, doing nothing,
     * for anything else.
     */
    private boolean sumOfSquaresAsDot(Tensor x, Tensor out) {
        if (x.dtype() != DType.F32 || out.dtype() != DType.F32 || out.numel() != 1 || !x.isContiguous()
                || !out.isContiguous()) {
            return false;
        }
        long n = x.numel();
        Tensor flat = Tensor.of(x.data(), DType.F32, n);
        matmul(flat.view(1, n), flat.view(n, 1), null, Tensor.of(out.data(), DType.F32, 1, 1), 1f, 0f, false, null);
        return true;
    }

    /** A contiguous f32 {@code [n]} of ones. */
    private Tensor onesVector(long n) {
        if (ones.byteSize() < n * Float.BYTES) {
            ones = runtime.allocate(n * Float.BYTES);
            fillContiguous(ones, DType.F32, n, 1f);
        }
        return Tensor.of(ones.asSlice(0, n * Float.BYTES), DType.F32, n);
    }

    private DnnlPrimitive createReduction(int alg, Tensor x, Tensor out) {
        try (CreationScope scope = new CreationScope()) {
            MemorySegment xMd = desc(scope, x, false);
            MemorySegment outMd = desc(scope, out, false);
            MemorySegment cell = scope.out();
            // p = 2 makes norm_lp_power_p_sum the sum of squares; eps only matters for the norms.
            create(dnnl_reduction_primitive_desc_create(cell, runtime.engine(), alg, xMd, outMd, 2f, 0f, scope.attr(false)),
                    "dnnl_reduction_primitive_desc_create", "reduction x=" + x + " out=" + out);
            return new DnnlPrimitive(runtime, scope, scope.primitiveDesc(cell),
                    new int[] {DNNL_ARG_SRC(), DNNL_ARG_DST()}, new MemorySegment[] {xMd, outMd});
        }
    }

    /** Copies src to dst (same shape, any strides, f32/bf16 either side) with a oneDNN reorder. */
    @Override
    public void copy(Tensor src, Tensor dst) {
        checkSameShape("copy", src, dst);
        if (src.numel() == 0) {
            return;
        }
        threadsFor(src.numel());
        key.reset(PrimitiveOp.REORDER).add(src).add(dst);
        DnnlPrimitive p = cache.find(key);
        if (p == null) {
            p = cache.put(key, createReorder(src, dst));
        }
        p.bind(0, src.data());
        p.bind(1, dst.data());
        p.execute(runtime);
    }

    private DnnlPrimitive createReorder(Tensor src, Tensor dst) {
        boolean flat = DnnlLayouts.allContiguousSameShape(src, dst);
        try (CreationScope scope = new CreationScope()) {
            MemorySegment srcMd = desc(scope, src, flat);
            MemorySegment dstMd = desc(scope, dst, flat);
            MemorySegment cell = scope.out();
            create(dnnl_reorder_primitive_desc_create(cell, srcMd, runtime.engine(), dstMd, runtime.engine(), scope.attr(false)),
                    "dnnl_reorder_primitive_desc_create", "copy src=" + src + " dst=" + dst);
            return new DnnlPrimitive(runtime, scope, scope.primitiveDesc(cell),
                    new int[] {DNNL_ARG_FROM(), DNNL_ARG_TO()}, new MemorySegment[] {srcMd, dstMd});
        }
    }

    /**
     * Sets every element of x (any strides) to value. Contiguous tensors are filled directly; a
     * strided view gets a filled contiguous buffer copied into it.
     */
    @Override
    public void fill(Tensor x, float value) {
        requireHost(x, "x");
        if (x.dtype() == DType.F64) {
            throw new IllegalArgumentException("the dnnl backend has no f64 kernels: use the reference backend for " + x);
        }
        long n = x.numel();
        if (n == 0) {
            return;
        }
        if (x.isContiguous()) {
            long t0 = fillProfile != null ? System.nanoTime() : 0;
            fillContiguous(x.data(), x.dtype(), n, value);
            if (fillProfile != null) {
                fillProfile.add(System.nanoTime() - t0);
            }
            return;
        }
        long bytes = n * x.dtype().byteSize();
        if (fillBuffer.byteSize() < bytes) {
            fillBuffer = runtime.allocate(bytes);
        }
        fillContiguous(fillBuffer, x.dtype(), n, value);
        copy(new Tensor(fillBuffer, x.dtype(), Device.CPU, x.shape(), Tensor.contiguousStrides(x.shape())), x);
    }

    /** Writes n elements of value, then doubles the written prefix with bulk copies. */
    private static void fillContiguous(MemorySegment data, DType dtype, long n, float value) {
        long bytes = n * dtype.byteSize();
        if (Float.floatToRawIntBits(value) == 0) {
            data.asSlice(0, bytes).fill((byte) 0);
            return;
        }
        if (dtype == DType.F32) {
            data.set(ValueLayout.JAVA_FLOAT_UNALIGNED, 0, value);
        } else {
            data.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, DType.floatToBf16(value));
        }
        long filled = dtype.byteSize();
        while (filled < bytes) {
            long chunk = Math.min(filled, bytes - filled);
            MemorySegment.copy(data, 0, data, filled, chunk);
            filled += chunk;
        }
    }

    /** param, grad, m, v: contiguous f32 tensors of one shape; see {@link AdamWKernel}. */
    @Override
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWStep step) {
        for (Tensor t : new Tensor[] {param, grad, m, v}) {
            requireHost(t, "adamw argument");
            if (t.dtype() != DType.F32 || !t.isContiguous() || !t.sameShape(param)) {
                throw new IllegalArgumentException("adamw needs contiguous f32 tensors of param's shape, got " + t
                        + " for param " + param);
            }
        }
        long t0 = adamwProfile != null ? System.nanoTime() : 0;
        adamw.update(param.data(), grad.data(), m.data(), v.data(), param.numel(), step);
        if (adamwProfile != null) {
            adamwProfile.add(System.nanoTime() - t0);
        }
    }

    /**
     * {@code y = x / max(||x||_2, eps)} per row; x, y {@code [..., D]}, norm {@code [rows]}. Packed
     * f32 rows run a float loop (see {@link HostLoops#l2NormalizeRows}); anything else the
     * interface's default.
     */
    @Override
    public void l2NormalizeForward(Tensor x, float eps, Tensor y, Tensor norm) {
        if (!packedF32(x, y, norm) || !x.sameShape(y) || norm.numel() != org.dinoj.model.backend.RowCopies.rowCount(x)) {
            Backend.super.l2NormalizeForward(x, eps, y, norm);
            return;
        }
        long t0 = l2Profile != null ? System.nanoTime() : 0;
        HostLoops.l2NormalizeRows(x.data(), eps, y.data(), norm.data(), org.dinoj.model.backend.RowCopies.rowCount(x), (int) x.size(-1));
        if (l2Profile != null) {
            l2Profile.add(System.nanoTime() - t0);
        }
    }

    /** dx from y, norm (as saved by the forward) and dy, all {@code [..., D]}; see {@link #l2NormalizeForward}. */
    @Override
    public void l2NormalizeBackward(Tensor y, Tensor norm, float eps, Tensor dy, Tensor dx) {
        if (!packedF32(y, dy, dx) || !packedF32(norm) || !y.sameShape(dy) || !y.sameShape(dx)
                || norm.numel() != org.dinoj.model.backend.RowCopies.rowCount(y)) {
            Backend.super.l2NormalizeBackward(y, norm, eps, dy, dx);
            return;
        }
        long t0 = l2Profile != null ? System.nanoTime() : 0;
        HostLoops.l2NormalizeRowsBackward(y.data(), norm.data(), eps, dy.data(), dx.data(), org.dinoj.model.backend.RowCopies.rowCount(y),
                (int) y.size(-1));
        if (l2Profile != null) {
            l2Profile.add(System.nanoTime() - t0);
        }
    }

    /**
     * Row gather/scatter ({@link Backend#copyRows}); rows of f32 host tensors with unit last-axis
     * stride are moved with bulk copies (or a float add loop) on the Java side instead of one
     * oneDNN call per row; anything else goes row by row through {@link #copy} and {@link #binary}.
     */
    @Override
    public void copyRows(Tensor src, int[] srcRows, Tensor dst, int[] dstRows, int count, boolean add) {
        if (!unitRowsF32(src) || !unitRowsF32(dst)) {
            Backend.super.copyRows(src, srcRows, dst, dstRows, count, add);
            return;
        }
        org.dinoj.model.backend.RowCopies.check(src, srcRows, dst, dstRows, count);
        long t0 = rowsProfile != null ? System.nanoTime() : 0;
        int d = (int) src.size(-1);
        for (int i = 0; i < count; i++) {
            long from = org.dinoj.model.backend.RowCopies.rowOffset(src, srcRows == null ? i : srcRows[i]) * Float.BYTES;
            long to = org.dinoj.model.backend.RowCopies.rowOffset(dst, dstRows == null ? i : dstRows[i]) * Float.BYTES;
            if (add) {
                HostLoops.addRow(src.data(), from, dst.data(), to, d);
            } else {
                MemorySegment.copy(src.data(), from, dst.data(), to, (long) d * Float.BYTES);
            }
        }
        if (rowsProfile != null) {
            rowsProfile.add(System.nanoTime() - t0);
        }
    }

    /** An f32 host tensor of rank >= 1 whose rows are unit-stride (any row strides). */
    private static boolean unitRowsF32(Tensor t) {
        return t.device() == Device.CPU && t.dtype() == DType.F32 && t.rank() > 0
                && (t.stride(-1) == 1 || t.size(-1) <= 1) && t.size(-1) <= Integer.MAX_VALUE;
    }

    /** True when every tensor is an f32 host tensor, contiguous, with at least one axis. */
    private static boolean packedF32(Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t.device() != Device.CPU || t.dtype() != DType.F32 || !t.isContiguous() || t.rank() == 0
                    || t.size(-1) > Integer.MAX_VALUE) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- helpers

    /** A descriptor of t as it is, or flat {@code [numel]} when all operands are contiguous alike. */
    private static MemorySegment desc(CreationScope scope, Tensor t, boolean flat) {
        Layout l = flat ? DnnlLayouts.flat(t) : DnnlLayouts.of(t);
        return scope.memoryDesc(t.dtype(), l.dims(), l.strides());
    }

    private static MemorySegment rowsDesc(CreationScope scope, Tensor t, String name) {
        Layout l = DnnlLayouts.rows(t);
        if (l == null) {
            throw new IllegalArgumentException(name + "=" + t + " has leading dimensions that do not collapse into "
                    + "evenly strided rows: copy it to a contiguous tensor first");
        }
        return scope.memoryDesc(t.dtype(), l.dims(), l.strides());
    }

    /** Checks a primitive descriptor creation, naming the operands when oneDNN refuses them. */
    private static void create(int status, String function, String what) {
        try {
            DnnlStatus.check(status, function);
        } catch (DnnlException e) {
            throw new IllegalArgumentException("oneDNN cannot run " + what + ": " + e.getMessage(), e);
        }
    }

    private static void requireHost(Tensor t, String name) {
        if (t.device() != Device.CPU) {
            throw new IllegalArgumentException(name + " " + t + " is not in host memory: the dnnl backend runs on the CPU");
        }
    }

    private static void checkSameShape(String op, Tensor x, Tensor y) {
        requireHost(x, "input");
        requireHost(y, "output");
        if (!x.sameShape(y)) {
            throw new IllegalArgumentException(op + " needs tensors of one shape, got " + x + " and " + y);
        }
    }

    private static void checkRowOp(String op, Tensor x, Tensor y) {
        checkSameShape(op, x, y);
        if (x.rank() == 0) {
            throw new IllegalArgumentException(op + " needs at least one axis, got scalar " + x);
        }
    }

    private static void checkVector(String name, Tensor t, long size) {
        requireHost(t, name);
        if (t.numel() != size || !t.isContiguous() || t.dtype() != DType.F32) {
            throw new IllegalArgumentException(name + " " + t + " must be a contiguous f32 [" + size + "]");
        }
    }

    private static void checkStats(Tensor x, Tensor mean, Tensor variance) {
        long rows = x.numel() / Math.max(x.size(-1), 1);
        checkVector("mean", mean, rows);
        checkVector("variance", variance, rows);
    }

    @Override
    public void close() {
        adamw.close();
        cache.close();
        runtime.close();
    }
}
