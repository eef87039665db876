package org.dinoj.model.backend.cuda;

import static org.dinoj.bindings.cuda.cuda_runtime_api_h.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.dinoj.model.backend.Activation;
import org.dinoj.model.backend.AdamWStep;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.Reduction;
import org.dinoj.model.backend.RowCopies;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Device;
import org.dinoj.model.tensor.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GPU backend: device tensors in cudaMalloc'ed memory through a caching allocator, one
 * non-blocking stream for all work, cuBLASLt for matmuls and dinoj's own NVRTC-compiled kernels
 * for everything else, including fused (flash) attention. Operations are queued asynchronously; copies to the
 * host and {@link #synchronize()} wait. Element-wise and row kernels read and write f32 or bf16
 * tensors with any strides and compute in f32. Each backend has its own stream: use a tensor with
 * the backend whose arena made it (or synchronize between them). Not thread-safe: one backend per
 * thread.
 */
public final class CudaBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(CudaBackend.class);
    private static final int BLOCK = 256;
    /** Rows at least this long, fewer than the SMs, get the split softmax. */
    private static final long SPLIT_ROW_MIN = 32768;
    /** Least elements per block of a split softmax or reduction. */
    private static final long SPLIT_CHUNK_MIN = 4096;
    /** Environment setting: {@code fused} (default) or {@code composed} attention in the layers. */
    public static final String ATTENTION_ENV = "DINOJ_CUDA_ATTENTION";

    private final Precision precision;
    private final CudaDevice device;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment stream;
    private final CachingDeviceAllocator allocator;
    private final CudaKernels kernels;
    private final KernelLauncher launcher;
    private final CublasLtMatmul cublas;
    private final long workspace;
    private final FusedAttention attention;
    private final boolean fuseAttention;
    /** cuDNN's softmax where asked for ({@code DINOJ_CUDA_SOFTMAX=cudnn}), else null. */
    private final CudnnSoftmax cudnnSoftmax;
    /** Row indices of copyRows: host staging (native, pageable) and their device copy, grown on demand. */
    private MemorySegment indexStaging;
    private long indexDevice;
    private long indexDeviceBytes;
    private long[] temps = new long[8];
    private int tempCount;
    private boolean closed;
    private long synchronizations;
    private long hostCopies;

    /** Opens device 0. */
    public CudaBackend(Precision precision) {
        this(precision, 0);
    }

    /**
     * @throws CudaException when no CUDA device or library can be used (the message says why)
     */
    public CudaBackend(Precision precision, int deviceIndex) {
        this(precision, deviceIndex, CudnnSoftmax.requested(System.getenv(CudnnSoftmax.SETTING)));
    }

    /**
     * @param cudnnSoftmax whether row softmax runs through cuDNN (libcudnn.so.9 must be found) where
     *                     it covers the tensors, instead of dinoj's kernels
     * @throws CudaException when no CUDA device or library can be used (the message says why)
     */
    CudaBackend(Precision precision, int deviceIndex, boolean cudnnSoftmax) {
        if (cudnnSoftmax) {
            CudnnSoftmax.requireLibrary(); // before anything is allocated
        }
        // (the public constructor resolves DINOJ_CUDA_SOFTMAX, unset meaning cuDNN where found)
        this.precision = precision;
        this.device = CudaDevice.open(deviceIndex);
        MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
        CudaErrors.checkRuntime(cudaStreamCreateWithFlags(out, cudaStreamNonBlocking()), "cudaStreamCreateWithFlags");
        this.stream = out.get(ValueLayout.ADDRESS, 0);
        this.allocator = new CachingDeviceAllocator(new CudaRawMemory());
        this.kernels = new CudaKernels(device.ccMajor(), device.ccMinor());
        this.launcher = new KernelLauncher(arena, kernels, stream);
        this.workspace = allocator.allocate(CublasLtMatmul.WORKSPACE_BYTES);
        this.cublas = new CublasLtMatmul(arena, stream, workspace);
        this.attention = new FusedAttention(launcher, allocator, device.multiprocessors());
        this.fuseAttention = fusedAttentionSetting(System.getenv(ATTENTION_ENV));
        this.cudnnSoftmax = cudnnSoftmax ? new CudnnSoftmax(stream) : null;
        if (this.cudnnSoftmax != null) {
            LOG.info("row softmax through cuDNN {}", this.cudnnSoftmax.version());
        } else {
            LOG.info("row softmax through dinoj's kernels (cuDNN not found or {}=dinoj)", CudnnSoftmax.SETTING);
        }
        LOG.info("CUDA backend on device {} (sm_{}{}, {} SMs), {} matmuls", device.index(), device.ccMajor(),
                device.ccMinor(), device.multiprocessors(), precision);
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public Precision precision() {
        return precision;
    }

    public CudaDevice device() {
        return device;
    }

    /** The device allocator (its statistics show whether a loop allocates). */
    public CachingDeviceAllocator allocator() {
        return allocator;
    }

    /**
     * Work items queued on the stream so far: kernel launches, cublasLtMatmul calls and copies
     * between host and device (a diagnostic: per-operation counts show launch-bound operations).
     */
    public long deviceCalls() {
        return launcher.launches() + cublas.calls() + hostCopies;
    }

    /** Times the host waited for the stream so far (synchronize and host copies). */
    public long synchronizations() {
        return synchronizations;
    }

    @Override
    public CudaArena newArena() {
        return new CudaArena(allocator, stream);
    }

    /** Page-locked host memory: uploads from it run at DMA speed (see {@link PinnedHostArena}). */
    @Override
    public PinnedHostArena newHostStagingArena() {
        return new PinnedHostArena();
    }

    // ---------------------------------------------------------------- matmul

    @Override
    public void matmul(Tensor a, Tensor b, Tensor bias, Tensor c, float alpha, float beta) {
        requireCuda(a, "a");
        requireCuda(b, "b");
        requireCuda(c, "c");
        requireF32(c, "matmul output c");
        MatmulPlan plan = MatmulPlan.of(a, b, c);
        long nn = c.size(-1);
        if (bias != null) {
            requireCuda(bias, "bias");
            if (bias.rank() != 1 || bias.size(0) != nn) {
                throw new IllegalArgumentException("matmul bias " + bias + " must be [N] = [" + nn + "] for c " + c);
            }
        }
        if (c.numel() == 0) {
            return;
        }
        try {
            if (a.size(-1) == 0) { // empty inner dimension: c = beta * c (+ bias)
                linear(c, beta, 0f, c);
                addBias(bias, c);
                return;
            }
            DType operandType = precision == Precision.BF16 || (a.dtype() == DType.BF16 && b.dtype() == DType.BF16)
                    ? DType.BF16 : DType.F32;
            Tensor aa = a.dtype() != operandType || plan.copyA() ? operandTemp(a, operandType) : a;
            Tensor bb = b.dtype() != operandType || plan.copyB() ? operandTemp(b, operandType) : b;
            Tensor cc = c;
            if (plan.tempC()) {
                cc = temp(DType.F32, c.shape());
                if (beta != 0f) {
                    copy(c, cc);
                }
            }
            if (aa != a || bb != b || cc != c) {
                plan = MatmulPlan.of(aa, bb, cc);
            }
            long biasAddress = 0;
            if (bias != null && plan.biasEpilogue()) {
                Tensor bf = bias.dtype() == DType.F32 && bias.stride(0) == 1 && bias.data().address() % 16 == 0
                        ? bias : contiguousTemp(bias, DType.F32);
                biasAddress = bf.data().address();
            }
            long opA = (plan.swapped() ? bb : aa).data().address();
            long opB = (plan.swapped() ? aa : bb).data().address();
            cublas.run(plan, opA, opB, cc.data().address(), biasAddress, alpha, beta, operandType == DType.BF16);
            if (bias != null && !plan.biasEpilogue()) {
                addBias(bias, cc);
            }
            if (cc != c) {
                copy(cc, c);
            }
        } finally {
            releaseTemps();
        }
    }

    /** c += bias broadcast along c's last axis. */
    private void addBias(Tensor bias, Tensor c) {
        if (bias == null) {
            return;
        }
        long[] shape = new long[c.rank()];
        long[] strides = new long[c.rank()];
        Arrays.fill(shape, 1);
        shape[c.rank() - 1] = bias.size(0);
        strides[c.rank() - 1] = bias.stride(0);
        binary(BinaryOp.ADD, c, new Tensor(bias.data(), bias.dtype(), Device.CUDA, shape, strides), c);
    }

    // ---------------------------------------------------------------- layer norm

    @Override
    public void layerNormForward(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean, Tensor variance) {
        long d = lastDim(x, "x");
        long rows = x.numel() / Math.max(d, 1);
        requireSameShape(x, y, "x", "y");
        requireVector(gamma, d, "gamma");
        requireVector(beta, d, "beta");
        requireRowStats(mean, rows, "mean");
        requireRowStats(variance, rows, "variance");
        if (rows == 0 || d == 0) {
            return;
        }
        launcher.begin().rows(x)
                .pointer(gamma.data().address()).i32(KernelLauncher.dtypeCode(gamma)).i64(gamma.stride(0))
                .pointer(beta.data().address()).i32(KernelLauncher.dtypeCode(beta)).i64(beta.stride(0))
                .rows(y)
                .pointer(mean.data().address()).desc(mean)
                .pointer(variance.data().address()).desc(variance)
                .i64(rows).i64(d).f32(eps)
                .launch(Kernel.LAYER_NORM_FORWARD, rowGrid(rows), rowBlock(d));
    }

    @Override
    public void layerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor variance, float eps, Tensor dy,
                                  Tensor dx, Tensor dgamma, Tensor dbeta) {
        long d = lastDim(x, "x");
        long rows = x.numel() / Math.max(d, 1);
        requireSameShape(x, dy, "x", "dy");
        requireSameShape(x, dx, "x", "dx");
        requireVector(gamma, d, "gamma");
        requireVector(dgamma, d, "dgamma");
        requireVector(dbeta, d, "dbeta");
        requireRowStats(mean, rows, "mean");
        requireRowStats(variance, rows, "variance");
        if (d == 0) {
            return;
        }
        if (rows == 0) {
            fill(dgamma, 0f);
            fill(dbeta, 0f);
            return;
        }
        launcher.begin().rows(x)
                .pointer(gamma.data().address()).i32(KernelLauncher.dtypeCode(gamma)).i64(gamma.stride(0))
                .pointer(mean.data().address()).desc(mean)
                .pointer(variance.data().address()).desc(variance)
                .rows(dy).rows(dx)
                .i64(rows).i64(d).f32(eps)
                .launch(Kernel.LAYER_NORM_BACKWARD_DX, rowGrid(rows), rowBlock(d));
        // Column sums in two deterministic passes: per-chunk partials, then the sum of the chunks.
        long chunks = Math.min(rows, 256);
        long rowsPerChunk = (rows + chunks - 1) / chunks;
        chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
        try {
            Tensor partialGamma = temp(DType.F32, chunks, d);
            Tensor partialBeta = temp(DType.F32, chunks, d);
            launcher.begin().rows(x)
                    .pointer(mean.data().address()).desc(mean)
                    .pointer(variance.data().address()).desc(variance)
                    .rows(dy)
                    .pointer(partialGamma.data().address()).pointer(partialBeta.data().address())
                    .i64(rows).i64(d).i64(rowsPerChunk).f32(eps)
                    .launch(Kernel.LAYER_NORM_BACKWARD_PARAMS, (d + BLOCK - 1) / BLOCK, chunks, BLOCK);
            sumChunks(partialGamma, chunks, d, dgamma);
            sumChunks(partialBeta, chunks, d, dbeta);
        } finally {
            releaseTemps();
        }
    }

    private void sumChunks(Tensor partial, long chunks, long d, Tensor out) {
        launcher.begin().pointer(partial.data().address()).i64(chunks).i64(d)
                .pointer(out.data().address()).i32(KernelLauncher.dtypeCode(out)).i64(out.stride(0))
                .launch(Kernel.SUM_CHUNKS, elementGrid(d), BLOCK);
    }

    // ---------------------------------------------------------------- softmax

    @Override
    public void softmaxForward(Tensor x, Tensor y, boolean log) {
        long d = lastDim(x, "x");
        requireSameShape(x, y, "x", "y");
        long rows = x.numel() / Math.max(d, 1);
        if (rows == 0 || d == 0) {
            return;
        }
        if (rows < device.multiprocessors() && d >= SPLIT_ROW_MIN) {
            softmaxSplit(x, y, rows, d, log);
            return;
        }
        if (cudnnSoftmax != null && CudnnSoftmax.handles(x, y)) {
            cudnnSoftmax.forward(x, y, log);
            return;
        }
        launcher.begin().rows(x).rows(y).i64(rows).i64(d).i32(log ? 1 : 0)
                .launch(Kernel.SOFTMAX_FORWARD, rowGrid(rows), rowBlock(d));
    }

    /**
     * Softmax of few rows of huge length d (one block per row would leave the device idle): each
     * row is cut into chunks of at least {@link #SPLIT_CHUNK_MIN}, one block each; a first pass
     * keeps each chunk's max and sum of exponentials, the second combines them and writes y.
     */
    private void softmaxSplit(Tensor x, Tensor y, long rows, long d, boolean log) {
        long target = Math.max(1, (long) device.multiprocessors() * 8 / rows);
        long chunks = Math.min(Math.min(target, (d + SPLIT_CHUNK_MIN - 1) / SPLIT_CHUNK_MIN), 4096);
        long chunk = (d + chunks - 1) / chunks;
        chunks = (d + chunk - 1) / chunk;
        long gridRows = Math.min(rows, 65535);
        try {
            Tensor partial = temp(DType.F32, rows, chunks, 2);
            launcher.begin().rows(x).i64(rows).i64(d).i64(chunk).pointer(partial.data().address())
                    .launch(Kernel.SOFTMAX_PARTIAL, chunks, gridRows, 512);
            launcher.begin().rows(x).rows(y).i64(rows).i64(d).i64(chunk).pointer(partial.data().address())
                    .i32(log ? 1 : 0)
                    .launch(Kernel.SOFTMAX_FINISH, chunks, gridRows, 512);
        } finally {
            releaseTemps();
        }
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor dy, Tensor dx, boolean log) {
        long d = lastDim(y, "y");
        requireSameShape(y, dy, "y", "dy");
        requireSameShape(y, dx, "y", "dx");
        long rows = y.numel() / Math.max(d, 1);
        if (rows == 0 || d == 0) {
            return;
        }
        if (cudnnSoftmax != null && CudnnSoftmax.handles(y, dy, dx)) {
            cudnnSoftmax.backward(y, dy, dx, log);
            return;
        }
        launcher.begin().rows(y).rows(dy).rows(dx).i64(rows).i64(d).i32(log ? 1 : 0)
                .launch(Kernel.SOFTMAX_BACKWARD, rowGrid(rows), rowBlock(d));
    }

    // ---------------------------------------------------------------- fused attention

    /**
     * Whether {@code DINOJ_CUDA_ATTENTION} (null: unset) asks for the fused attention kernels. The
     * default is the composed cuBLASLt path: on an H100 it ran the ViT-S/14 bf16 batch-64 step in
     * 289 ms against 303 ms fused (docs/gpu.md); fused saves the [B, H, N, N] buffers' memory.
     */
    static boolean fusedAttentionSetting(String value) {
        if (value != null && value.equals("fused")) {
            return true;
        }
        if (value == null || value.isEmpty() || value.equals("composed")) {
            return false;
        }
        throw new IllegalArgumentException(ATTENTION_ENV + "=" + value + " is not a choice: use fused or composed");
    }

    @Override
    public boolean fusesAttention(int headDim) {
        return fuseAttention && FusedAttention.supports(headDim);
    }

    /** qkv {@code [B, N, 3D]} and out {@code [B, N, D]} f32 or bf16, any row strides; lse f32 {@code [B, H, N]}. */
    @Override
    public void attentionForward(Tensor qkv, int heads, float scale, Tensor out, Tensor lse) {
        attention.forward(qkv, heads, scale, out, lse);
    }

    /** As {@link #attentionForward}; dOut {@code [B, N, D]}, dQkv {@code [B, N, 3D]}. */
    @Override
    public void attentionBackward(Tensor qkv, Tensor out, Tensor lse, Tensor dOut, int heads, float scale,
                                  Tensor dQkv) {
        attention.backward(qkv, out, lse, dOut, heads, scale, dQkv);
    }

    // ---------------------------------------------------------------- L2 normalisation

    /** x, y: {@code [..., D]} (any strides, f32 or bf16); norm: f32, one per row. In place allowed (y == x). */
    @Override
    public void l2NormalizeForward(Tensor x, float eps, Tensor y, Tensor norm) {
        long d = lastDim(x, "x");
        requireSameShape(x, y, "x", "y");
        requireCuda(y, "y");
        long rows = d == 0 ? 0 : x.numel() / d;
        requireRowStats(norm, rows, "norm");
        if (rows == 0) {
            return;
        }
        launcher.begin().rows(x).rows(y)
                .pointer(norm.data().address()).desc(norm)
                .i64(rows).i64(d).f32(eps)
                .launch(Kernel.L2_NORMALIZE_FORWARD, rowGrid(rows), rowBlock(d));
    }

    /** y, dy, dx: {@code [..., D]}; norm: f32 {@code [rows]} from the forward pass. In place allowed (dx == dy). */
    @Override
    public void l2NormalizeBackward(Tensor y, Tensor norm, float eps, Tensor dy, Tensor dx) {
        long d = lastDim(y, "y");
        requireSameShape(y, dy, "y", "dy");
        requireSameShape(y, dx, "y", "dx");
        requireCuda(dy, "dy");
        requireCuda(dx, "dx");
        long rows = d == 0 ? 0 : y.numel() / d;
        requireRowStats(norm, rows, "norm");
        if (rows == 0) {
            return;
        }
        launcher.begin().rows(y)
                .pointer(norm.data().address()).desc(norm)
                .rows(dy).rows(dx)
                .i64(rows).i64(d).f32(eps)
                .launch(Kernel.L2_NORMALIZE_BACKWARD, rowGrid(rows), rowBlock(d));
    }

    // ---------------------------------------------------------------- element-wise

    @Override
    public void activationForward(Activation activation, Tensor x, Tensor y) {
        requireCuda(x, "x");
        requireSameShape(x, y, "x", "y");
        long n = x.numel();
        launcher.begin().i32(activation.ordinal()).tensor(x).tensor(y).i64(n)
                .launch(Kernel.ACTIVATION_FORWARD, elementGrid(n), BLOCK);
    }

    @Override
    public void activationBackward(Activation activation, Tensor x, Tensor dy, Tensor dx) {
        requireCuda(x, "x");
        requireSameShape(x, dy, "x", "dy");
        requireSameShape(x, dx, "x", "dx");
        long n = x.numel();
        launcher.begin().i32(activation.ordinal()).tensor(x).tensor(dy).tensor(dx).i64(n)
                .launch(Kernel.ACTIVATION_BACKWARD, elementGrid(n), BLOCK);
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        requireCuda(a, "a");
        requireCuda(b, "b");
        requireSameShape(a, out, "a", "out");
        if (b.rank() != a.rank()) {
            throw new IllegalArgumentException("binary " + op + ": b " + b + " must have a's rank (a " + a + ")");
        }
        long[] bStrides = new long[a.rank()];
        for (int i = 0; i < a.rank(); i++) {
            if (b.size(i) == a.size(i)) {
                bStrides[i] = b.stride(i);
            } else if (b.size(i) != 1) {
                throw new IllegalArgumentException("binary " + op + ": b " + b + " does not broadcast to a " + a
                        + " (dimension " + i + " is neither 1 nor " + a.size(i) + ")");
            }
        }
        Tensor bb = new Tensor(b.data(), b.dtype(), Device.CUDA, a.shape(), bStrides);
        long n = a.numel();
        launcher.begin().i32(op.ordinal()).tensor(a).tensor(bb).tensor(out).i64(n)
                .launch(Kernel.BINARY, elementGrid(n), BLOCK);
    }

    @Override
    public void linear(Tensor x, float alpha, float beta, Tensor out) {
        requireCuda(x, "x");
        requireSameShape(x, out, "x", "out");
        long n = x.numel();
        launcher.begin().tensor(x).tensor(out).i64(n).f32(alpha).f32(beta)
                .launch(Kernel.LINEAR, elementGrid(n), BLOCK);
    }

    @Override
    public void reduce(Reduction op, Tensor x, Tensor out) {
        requireCuda(x, "x");
        requireCuda(out, "out");
        if (out.rank() != x.rank()) {
            throw new IllegalArgumentException("reduce " + op + ": out " + out + " must have x's rank (x " + x + ")");
        }
        int rank = x.rank();
        long[] keptStrides = new long[rank];
        long[] redShape = new long[rank];
        long[] redStrides = new long[rank];
        int redRank = 0;
        long redCount = 1;
        for (int i = 0; i < rank; i++) {
            if (out.size(i) == x.size(i)) {
                keptStrides[i] = x.stride(i);
            } else if (out.size(i) == 1) {
                redShape[redRank] = x.size(i);
                redStrides[redRank++] = x.stride(i);
                redCount *= x.size(i);
            } else {
                throw new IllegalArgumentException("reduce " + op + ": out " + out + " dimension " + i
                        + " must be 1 (reduced) or x's " + x.size(i));
            }
        }
        long outCount = out.numel();
        if (outCount == 0) {
            return;
        }
        if (redCount == 0) {
            fill(out, op == Reduction.MAX ? Float.NEGATIVE_INFINITY : op == Reduction.MEAN ? Float.NaN : 0f);
            return;
        }
        int innermostKept = -1;
        for (int i = rank - 1; i >= 0; i--) {
            if (out.size(i) != 1) {
                innermostKept = i;
                break;
            }
        }
        if (innermostKept >= 0 && keptStrides[innermostKept] == 1 && outCount >= 256 && redCount >= 64) {
            reduceColumns(op, x, out, keptStrides, redShape, redStrides, redRank, redCount, outCount);
            return;
        }
        if (outCount < 2L * device.multiprocessors() && redCount >= 2 * SPLIT_CHUNK_MIN) {
            reduceSplit(op, x, out, keptStrides, redShape, redStrides, redRank, redCount, outCount);
            return;
        }
        int block = redCount >= BLOCK ? BLOCK : (int) Math.max(32, (redCount + 31) / 32 * 32);
        launcher.begin().i32(op.ordinal())
                .pointer(x.data().address()).i32(KernelLauncher.dtypeCode(x))
                .desc(out.shape(), keptStrides, rank)
                .desc(redShape, redStrides, redRank).i64(redCount)
                .tensor(out).i64(outCount)
                .launch(Kernel.REDUCE, rowGrid(outCount), block);
    }

    /**
     * Few outputs, each over many elements (a whole tensor's sum of squares, a loss total): the
     * reduced elements of each output are cut into chunks, one block per chunk and output, then
     * each output's chunk totals are combined.
     */
    private void reduceSplit(Reduction op, Tensor x, Tensor out, long[] keptStrides, long[] redShape,
                             long[] redStrides, int redRank, long redCount, long outCount) {
        long target = Math.max(1, (long) device.multiprocessors() * 8 / outCount);
        long chunks = Math.min(Math.min(target, (redCount + SPLIT_CHUNK_MIN - 1) / SPLIT_CHUNK_MIN), 4096);
        long chunk = (redCount + chunks - 1) / chunks;
        chunks = (redCount + chunk - 1) / chunk;
        try {
            Tensor partial = temp(DType.F32, outCount, chunks);
            launcher.begin().i32(op.ordinal())
                    .pointer(x.data().address()).i32(KernelLauncher.dtypeCode(x))
                    .desc(out.shape(), keptStrides, x.rank())
                    .desc(redShape, redStrides, redRank).i64(redCount).i64(chunk)
                    .pointer(partial.data().address()).i64(outCount)
                    .launch(Kernel.REDUCE_PARTIAL, chunks, Math.min(outCount, 65535), BLOCK);
            launcher.begin().i32(op.ordinal()).pointer(partial.data().address()).i64(chunks).i64(redCount)
                    .tensor(out).i64(outCount)
                    .launch(Kernel.REDUCE_FINISH, rowGrid(outCount), BLOCK);
        } finally {
            releaseTemps();
        }
    }

    /**
     * Column reductions (x's kept innermost dimension has stride 1, e.g. a bias gradient [rows, D]
     * -> [D]): one thread per output so that a warp reads neighbouring addresses, the reduced
     * elements cut into chunks along the grid's y axis, then the chunk totals combined per output.
     */
    private void reduceColumns(Reduction op, Tensor x, Tensor out, long[] keptStrides, long[] redShape,
                               long[] redStrides, int redRank, long redCount, long outCount) {
        long gridX = Math.min((outCount + BLOCK - 1) / BLOCK, (long) device.multiprocessors() * 16);
        long target = Math.max(1, (long) device.multiprocessors() * 8 / gridX);
        long chunks = Math.min(Math.min(target, (redCount + 15) / 16), 4096);
        long chunk = (redCount + chunks - 1) / chunks;
        chunks = (redCount + chunk - 1) / chunk;
        try {
            Tensor partial = temp(DType.F32, chunks, outCount);
            launcher.begin().i32(op.ordinal())
                    .pointer(x.data().address()).i32(KernelLauncher.dtypeCode(x))
                    .desc(out.shape(), keptStrides, x.rank())
                    .desc(redShape, redStrides, redRank).i64(redCount).i64(chunk)
                    .pointer(partial.data().address()).i64(outCount)
                    .launch(Kernel.REDUCE_COLUMNS_PARTIAL, gridX, chunks, BLOCK);
            launcher.begin().i32(op.ordinal()).pointer(partial.data().address()).i64(chunks).i64(redCount)
                    .tensor(out).i64(outCount)
                    .launch(Kernel.REDUCE_COLUMNS_FINISH, elementGrid(outCount), BLOCK);
        } finally {
            releaseTemps();
        }
    }

    /**
     * One kernel for the whole gather/scatter. The index arrays travel with one asynchronous copy
     * from pageable memory, which returns once CUDA has staged them, so the host buffer is free
     * again and the stream is not waited for.
     */
    @Override
    public void copyRows(Tensor src, int[] srcRows, Tensor dst, int[] dstRows, int count, boolean add) {
        requireCuda(src, "src");
        requireCuda(dst, "dst");
        RowCopies.check(src, srcRows, dst, dstRows, count);
        long d = src.size(-1);
        if (count == 0 || d == 0) {
            return;
        }
        long srcIndexBytes = srcRows == null ? 0 : 4L * count;
        long bytes = srcIndexBytes + (dstRows == null ? 0 : 4L * count);
        long srcIndex = 0;
        long dstIndex = 0;
        if (bytes > 0) {
            ensureIndexBuffers(bytes);
            if (srcRows != null) {
                MemorySegment.copy(srcRows, 0, indexStaging, ValueLayout.JAVA_INT, 0, count);
            }
            if (dstRows != null) {
                MemorySegment.copy(dstRows, 0, indexStaging, ValueLayout.JAVA_INT, srcIndexBytes, count);
            }
            CudaErrors.checkRuntime(cudaMemcpyAsync(MemorySegment.ofAddress(indexDevice), indexStaging, bytes,
                    cudaMemcpyHostToDevice(), stream), "cudaMemcpyAsync (row indices)");
            hostCopies++;
            srcIndex = srcRows == null ? 0 : indexDevice;
            dstIndex = dstRows == null ? 0 : indexDevice + srcIndexBytes;
        }
        launcher.begin().rows(src).pointer(srcIndex).rows(dst).pointer(dstIndex).i64(count).i64(d).i32(add ? 1 : 0)
                .launch(Kernel.COPY_ROWS, rowGrid(count), rowBlock(d));
    }

    private void ensureIndexBuffers(long bytes) {
        if (indexDeviceBytes >= bytes) {
            return;
        }
        long size = Math.max(bytes, 64 * 1024);
        if (indexDevice != 0) {
            allocator.free(indexDevice); // reused only by work queued after the kernels that read it
        }
        indexDevice = allocator.allocate(size);
        indexDeviceBytes = size;
        indexStaging = arena.allocate(size, 16);
    }

    @Override
    public void fill(Tensor x, float value) {
        requireCuda(x, "x");
        long n = x.numel();
        launcher.begin().tensor(x).i64(n).f32(value).launch(Kernel.FILL, elementGrid(n), BLOCK);
    }

    @Override
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWStep step) {
        for (Tensor t : new Tensor[] {param, grad, m, v}) {
            requireCuda(t, "adamw tensor");
            requireF32(t, "adamw tensor");
        }
        requireSameShape(param, grad, "param", "grad");
        requireSameShape(param, m, "param", "m");
        requireSameShape(param, v, "param", "v");
        long n = param.numel();
        float biasCorrection1 = (float) (1 - Math.pow(step.beta1(), step.step()));
        float biasCorrection2 = (float) (1 - Math.pow(step.beta2(), step.step()));
        launcher.begin().pointer(param.data().address()).desc(param).pointer(grad.data().address()).desc(grad)
                .pointer(m.data().address()).desc(m).pointer(v.data().address()).desc(v).i64(n)
                .f32(step.lr()).f32(step.beta1()).f32(step.beta2()).f32(step.eps()).f32(step.weightDecay())
                .f32(biasCorrection1).f32(biasCorrection2)
                .launch(Kernel.ADAMW, elementGrid(n), BLOCK);
    }

    // ---------------------------------------------------------------- copies

    @Override
    public void copy(Tensor src, Tensor dst) {
        requireSameShape(src, dst, "src", "dst");
        long n = src.numel();
        if (n == 0) {
            return;
        }
        boolean srcDevice = src.device() == Device.CUDA;
        boolean dstDevice = dst.device() == Device.CUDA;
        if (srcDevice && dstDevice) {
            launcher.begin().tensor(src).tensor(dst).i64(n).launch(Kernel.COPY, elementGrid(n), BLOCK);
        } else if (!srcDevice && !dstDevice) {
            for (long i = 0; i < n; i++) {
                dst.setFlat(i, src.getFlat(i));
            }
        } else if (dstDevice) {
            copyToDevice(src, dst);
        } else {
            copyToHost(src, dst);
        }
    }

    private void copyToDevice(Tensor src, Tensor dst) {
        long bytes = src.numel() * src.dtype().byteSize();
        try (Arena staging = Arena.ofConfined()) {
            MemorySegment host = src.isContiguous() && src.data().isNative() ? src.data() : packed(src, staging);
            if (dst.isContiguous() && dst.dtype() == src.dtype()) {
                memcpy(dst.data(), host, bytes, cudaMemcpyHostToDevice());
            } else {
                try {
                    Tensor packedOnDevice = temp(src.dtype(), src.shape());
                    memcpy(packedOnDevice.data(), host, bytes, cudaMemcpyHostToDevice());
                    copy(packedOnDevice, dst);
                    synchronize(); // the temporary goes back to the cache; the copy must be done first
                } finally {
                    releaseTemps();
                }
            }
        }
    }

    private void copyToHost(Tensor src, Tensor dst) {
        long bytes = dst.numel() * dst.dtype().byteSize();
        boolean direct = dst.isContiguous() && dst.data().isNative();
        try (Arena staging = Arena.ofConfined()) {
            MemorySegment host = direct ? dst.data() : staging.allocate(bytes, 64);
            if (src.isContiguous() && src.dtype() == dst.dtype()) {
                memcpy(host, src.data(), bytes, cudaMemcpyDeviceToHost());
            } else {
                try {
                    Tensor packedOnDevice = temp(dst.dtype(), dst.shape());
                    copy(src, packedOnDevice);
                    memcpy(host, packedOnDevice.data(), bytes, cudaMemcpyDeviceToHost());
                } finally {
                    releaseTemps();
                }
            }
            if (!direct) {
                Tensor packed = Tensor.of(host, dst.dtype(), dst.shape());
                for (long i = 0; i < dst.numel(); i++) {
                    dst.setFlat(i, packed.getFlat(i));
                }
            }
        }
    }

    /** Host memory copy in queue order; returns when the copy is complete. */
    private void memcpy(MemorySegment dst, MemorySegment src, long bytes, int kind) {
        CudaErrors.checkRuntime(cudaMemcpyAsync(dst, src, bytes, kind, stream), "cudaMemcpyAsync");
        hostCopies++;
        synchronize();
    }

    /** A contiguous native copy of a host tensor, in its own dtype. */
    private static MemorySegment packed(Tensor src, Arena staging) {
        MemorySegment out = staging.allocate(src.numel() * src.dtype().byteSize(), 64);
        Tensor packed = Tensor.of(out, src.dtype(), src.shape());
        for (long i = 0; i < src.numel(); i++) {
            packed.setFlat(i, src.getFlat(i));
        }
        return out;
    }

    @Override
    public void synchronize() {
        synchronizations++;
        CudaErrors.checkRuntime(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronize();
        if (cudnnSoftmax != null) {
            cudnnSoftmax.close();
        }
        cublas.close();
        kernels.close();
        allocator.free(workspace);
        if (indexDevice != 0) {
            allocator.free(indexDevice);
        }
        allocator.close();
        cudaStreamDestroy(stream);
        arena.close();
    }

    // ---------------------------------------------------------------- helpers

    /** A zero-initialised-or-not device temporary, given back by {@link #releaseTemps()}. */
    private Tensor temp(DType dtype, long... shape) {
        long bytes = Math.max(Tensor.numel(shape) * dtype.byteSize(), 1);
        long address = allocator.allocate(bytes);
        if (tempCount == temps.length) {
            temps = Arrays.copyOf(temps, tempCount * 2);
        }
        temps[tempCount++] = address;
        return new Tensor(MemorySegment.ofAddress(address), dtype, Device.CUDA, shape, Tensor.contiguousStrides(shape));
    }

    /** A contiguous device copy of t in {@code dtype} (a temporary). */
    private Tensor contiguousTemp(Tensor t, DType dtype) {
        Tensor out = temp(dtype, t.shape());
        copy(t, out);
        return out;
    }

    /**
     * A matmul operand converted to {@code dtype} in a layout cuBLASLt reads. An operand whose
     * rows run down memory columns (x^T in a weight gradient, P^T and k^T in attention) is copied
     * as its transpose, whose last axis is the unit-stride one, and handed over as the transposed
     * view of the copy: the copy then reads along memory rows, where a row-major copy of the view
     * would read across them.
     */
    private Tensor operandTemp(Tensor t, DType dtype) {
        int r = t.rank();
        if (r >= 2 && t.size(r - 2) > 1 && t.size(r - 1) > 1 && t.stride(r - 1) != 1 && t.stride(r - 2) == 1) {
            Tensor stored = t.transpose(r - 2, r - 1);
            Tensor out = temp(dtype, stored.shape());
            copy(stored, out);
            return out.transpose(r - 2, r - 1);
        }
        return contiguousTemp(t, dtype);
    }

    /** Temporaries are reused by later work on the same stream, which runs after the work using them. */
    private void releaseTemps() {
        for (int i = 0; i < tempCount; i++) {
            allocator.free(temps[i]);
        }
        tempCount = 0;
    }

    private long elementGrid(long n) {
        return Math.max(1, Math.min((n + BLOCK - 1) / BLOCK, (long) device.multiprocessors() * 16));
    }

    private long rowGrid(long rows) {
        return Math.max(1, Math.min(rows, (long) device.multiprocessors() * 32));
    }

    private static int rowBlock(long d) {
        return d >= 2048 ? 512 : d >= 256 ? 256 : d > 64 ? 128 : 32;
    }

    private static void requireCuda(Tensor t, String name) {
        if (t.device() != Device.CUDA) {
            throw new IllegalArgumentException(name + " " + t + " is on " + t.device()
                    + ": the CUDA backend computes on device tensors; copy it with copy() first");
        }
    }

    private static void requireF32(Tensor t, String name) {
        if (t.dtype() != DType.F32) {
            throw new IllegalArgumentException(name + " " + t + " must be F32");
        }
    }

    private static void requireSameShape(Tensor a, Tensor b, String aName, String bName) {
        if (!a.sameShape(b)) {
            throw new IllegalArgumentException(bName + " " + b + " must have the shape of " + aName + " " + a);
        }
    }

    private static long lastDim(Tensor x, String name) {
        requireCuda(x, name);
        if (x.rank() == 0) {
            throw new IllegalArgumentException(name + " " + x + " needs at least one dimension");
        }
        return x.size(-1);
    }

    private static void requireVector(Tensor t, long d, String name) {
        requireCuda(t, name);
        if (t.rank() != 1 || t.size(0) != d) {
            throw new IllegalArgumentException(name + " " + t + " must be [" + d + "]");
        }
    }

    private static void requireRowStats(Tensor t, long rows, String name) {
        requireCuda(t, name);
        requireF32(t, name);
        if (t.numel() != rows) {
            throw new IllegalArgumentException(name + " " + t + " must hold one f32 per row (" + rows + ")");
        }
    }
}
