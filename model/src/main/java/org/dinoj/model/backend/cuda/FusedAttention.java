package org.dinoj.model.backend.cuda;

import org.dinoj.model.backend.AttentionShape;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Device;
import org.dinoj.model.tensor.Tensor;

/**
 * The flash-attention kernels of {@code attention.cu} behind {@link CudaBackend#attentionForward}
 * and {@link CudaBackend#attentionBackward}: online softmax with f32 accumulation, f32 or bf16
 * storage, head dims up to {@link #MAX_HEAD_DIM}; the {@code [N, N]} scores never reach memory.
 * Backward recomputes the probabilities from the saved log-sum-exp in two kernels (dq per query
 * row; dk and dv per key row), deterministic and without atomics.
 */
final class FusedAttention {
    /** The largest head dim a kernel variant covers. */
    static final int MAX_HEAD_DIM = 128;

    /** One kernel family per head-dim class: rows per block and lanes per row as in attention.cu. */
    private enum Variant {
        HD16(16, 64, 1, Kernel.ATTENTION_FORWARD_HD16, Kernel.ATTENTION_BACKWARD_DQ_HD16,
                Kernel.ATTENTION_BACKWARD_DKV_HD16),
        HD32(32, 64, 1, Kernel.ATTENTION_FORWARD_HD32, Kernel.ATTENTION_BACKWARD_DQ_HD32,
                Kernel.ATTENTION_BACKWARD_DKV_HD32),
        HD64(64, 64, 2, Kernel.ATTENTION_FORWARD_HD64, Kernel.ATTENTION_BACKWARD_DQ_HD64,
                Kernel.ATTENTION_BACKWARD_DKV_HD64),
        HD128(128, 32, 4, Kernel.ATTENTION_FORWARD_HD128, Kernel.ATTENTION_BACKWARD_DQ_HD128,
                Kernel.ATTENTION_BACKWARD_DKV_HD128);

        final int maxHeadDim;
        final int tile;
        final int lanesPerRow;
        final Kernel forward;
        final Kernel backwardDq;
        final Kernel backwardDkv;

        Variant(int maxHeadDim, int tile, int lanesPerRow, Kernel forward, Kernel backwardDq, Kernel backwardDkv) {
            this.maxHeadDim = maxHeadDim;
            this.tile = tile;
            this.lanesPerRow = lanesPerRow;
            this.forward = forward;
            this.backwardDq = backwardDq;
            this.backwardDkv = backwardDkv;
        }

        static Variant of(String op, int headDim) {
            for (Variant v : values()) {
                if (headDim <= v.maxHeadDim) {
                    return v;
                }
            }
            throw new IllegalArgumentException(op + ": the CUDA fused attention supports head dims up to "
                    + MAX_HEAD_DIM + ", not " + headDim + "; use fewer, wider heads or the composed attention "
                    + "(DINOJ_CUDA_ATTENTION=composed)");
        }
    }

    private static final int BLOCK = 256;
    private static final long MAX_GRID_Y = 65535;

    private final KernelLauncher launcher;
    private final CachingDeviceAllocator allocator;
    private final int multiprocessors;

    FusedAttention(KernelLauncher launcher, CachingDeviceAllocator allocator, int multiprocessors) {
        this.launcher = launcher;
        this.allocator = allocator;
        this.multiprocessors = multiprocessors;
    }

    static boolean supports(int headDim) {
        return headDim >= 1 && headDim <= MAX_HEAD_DIM;
    }

    /** qkv {@code [B, N, 3D]}, out {@code [B, N, D]}, lse f32 {@code [B, H, N]} (see Backend#attentionForward). */
    void forward(Tensor qkv, int heads, float scale, Tensor out, Tensor lse) {
        String op = "attentionForward";
        AttentionShape shape = AttentionShape.of(op, qkv, heads, out, lse);
        requireDevice(op, lse, "lse");
        requireF32(op, lse, "lse");
        requireDevice(op, qkv, "qkv");
        requireDevice(op, out, "out");
        if (shape.batch() == 0 || shape.tokens() == 0) {
            return;
        }
        Variant v = Variant.of(op, shape.headDim());
        launcher.begin()
                .pointer(qkv.data().address()).i32(KernelLauncher.dtypeCode(qkv)).i64(qkv.stride(0)).i64(qkv.stride(1))
                .pointer(out.data().address()).i32(KernelLauncher.dtypeCode(out)).i64(out.stride(0)).i64(out.stride(1))
                .pointer(lse.data().address())
                .i32((int) shape.batch()).i32(heads).i32((int) shape.tokens()).i32(shape.headDim()).f32(scale)
                .launch(v.forward, tiles(shape.tokens(), v), gridY(shape), v.tile * v.lanesPerRow);
    }

    /** dQkv {@code [B, N, 3D]} from qkv, out, lse and dOut {@code [B, N, D]} (see Backend#attentionBackward). */
    void backward(Tensor qkv, Tensor out, Tensor lse, Tensor dOut, int heads, float scale, Tensor dQkv) {
        String op = "attentionBackward";
        AttentionShape shape = AttentionShape.of(op, qkv, heads, out, lse);
        shape.requireRows(op, dOut, "dOut");
        if (!dQkv.sameShape(qkv)) {
            throw new IllegalArgumentException(op + ": dQkv " + dQkv + " must have qkv's shape " + qkv);
        }
        if (dQkv.size(2) > 1 && dQkv.stride(2) != 1) {
            throw new IllegalArgumentException(op + ": dQkv " + dQkv + " must have a unit stride on its last axis");
        }
        requireF32(op, lse, "lse");
        requireDevice(op, qkv, "qkv");
        requireDevice(op, out, "out");
        requireDevice(op, lse, "lse");
        requireDevice(op, dOut, "dOut");
        requireDevice(op, dQkv, "dQkv");
        if (shape.batch() == 0 || shape.tokens() == 0) {
            return;
        }
        Variant v = Variant.of(op, shape.headDim());
        long rows = shape.batch() * heads * shape.tokens();
        long delta = allocator.allocate(rows * Float.BYTES);
        try {
            launcher.begin()
                    .pointer(out.data().address()).i32(KernelLauncher.dtypeCode(out)).i64(out.stride(0)).i64(out.stride(1))
                    .pointer(dOut.data().address()).i32(KernelLauncher.dtypeCode(dOut)).i64(dOut.stride(0))
                    .i64(dOut.stride(1))
                    .pointer(delta)
                    .i32((int) shape.batch()).i32(heads).i32((int) shape.tokens()).i32(shape.headDim())
                    .launch(Kernel.ATTENTION_BACKWARD_DELTA,
                            Math.max(1, Math.min((rows + BLOCK - 1) / BLOCK, (long) multiprocessors * 16)), BLOCK);
            for (Kernel kernel : new Kernel[] {v.backwardDq, v.backwardDkv}) {
                launcher.begin()
                        .pointer(qkv.data().address()).i32(KernelLauncher.dtypeCode(qkv)).i64(qkv.stride(0))
                        .i64(qkv.stride(1))
                        .pointer(dOut.data().address()).i32(KernelLauncher.dtypeCode(dOut)).i64(dOut.stride(0))
                        .i64(dOut.stride(1))
                        .pointer(lse.data().address()).pointer(delta)
                        .pointer(dQkv.data().address()).i32(KernelLauncher.dtypeCode(dQkv)).i64(dQkv.stride(0))
                        .i64(dQkv.stride(1))
                        .i32((int) shape.batch()).i32(heads).i32((int) shape.tokens()).i32(shape.headDim())
                        .f32(scale)
                        .launch(kernel, tiles(shape.tokens(), v), gridY(shape), v.tile * v.lanesPerRow);
            }
        } finally {
            // Stream-ordered reuse: the next user of this block queues behind these kernels.
            allocator.free(delta);
        }
    }

    private static long tiles(long tokens, Variant v) {
        return (tokens + v.tile - 1) / v.tile;
    }

    private static long gridY(AttentionShape shape) {
        return Math.min(shape.batch() * shape.heads(), MAX_GRID_Y);
    }

    private static void requireDevice(String op, Tensor t, String name) {
        if (t.device() != Device.CUDA) {
            throw new IllegalArgumentException(op + ": " + name + " " + t + " is not a CUDA tensor; make it with the "
                    + "CUDA backend's arena");
        }
    }

    private static void requireF32(String op, Tensor t, String name) {
        if (t.dtype() != DType.F32) {
            throw new IllegalArgumentException(op + ": " + name + " " + t + " must be f32 on the CUDA backend");
        }
    }
}
