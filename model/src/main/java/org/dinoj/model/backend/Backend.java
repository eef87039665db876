package org.dinoj.model.backend;

import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;

/**
 * The narrow set of numeric operations every layer calls. Implementations: reference (plain Java,
 * double accumulation, the test oracle), dnnl (oneDNN on CPU) and cuda.
 *
 * <p>Conventions for every method:
 * <ul>
 *   <li>Outputs are written, never accumulated into, unless the method says otherwise.</li>
 *   <li>Inputs may be strided views (transposes, slices); outputs must not overlap inputs unless the
 *       method allows it ("in place").</li>
 *   <li>"Last axis" means the innermost dimension; tensors of any rank are treated as
 *       {@code [rows, last]}.</li>
 *   <li>Shape or dtype mismatches throw {@link IllegalArgumentException} naming the tensors.</li>
 * </ul>
 */
public interface Backend extends AutoCloseable {

    /** Short name shown in logs and benchmarks: "reference", "dnnl", "cuda". */
    String name();

    /** Matmul precision of this backend instance. */
    Precision precision();

    /** A new owner for tensors that this backend can work on (host or device memory). */
    TensorAllocator newArena();

    /**
     * A new owner for host tensors that are copied to this backend's tensors again and again
     * (upload staging planned once): host memory the backend copies from fastest, page-locked
     * memory on a GPU. Close it (it is {@link AutoCloseable}) after the last copy.
     */
    default TensorAllocator newHostStagingArena() {
        return new HostArena();
    }

    /**
     * {@code c = alpha * (a @ b) + bias + beta * c}.
     * a: {@code [..., M, K]}, b: {@code [..., K, N]}, c: {@code [..., M, N]}; leading (batch)
     * dimensions of a and b are equal to c's or 1 (broadcast). bias: {@code [N]} or null.
     * Transposed operands are passed as transposed views. With {@link Precision#BF16} the products
     * are computed from bf16-rounded inputs with f32 accumulation.
     */
    void matmul(Tensor a, Tensor b, Tensor bias, Tensor c, float alpha, float beta);

    /** {@code c = a @ b}. */
    default void matmul(Tensor a, Tensor b, Tensor c) {
        matmul(a, b, null, c, 1f, 0f);
    }

    /**
     * Inference-only linear layer with its activation: {@code c = act(a @ b + bias)}; shapes and
     * precision as {@link #matmul(Tensor, Tensor, Tensor, Tensor, float, float)}. Keeps no
     * pre-activation, so nothing can run backward through it. The default runs the matmul, then
     * the activation in place; backends may fuse them into one pass over c.
     */
    default void matmulActivation(Tensor a, Tensor b, Tensor bias, Activation activation, Tensor c) {
        matmul(a, b, bias, c, 1f, 0f);
        activationForward(activation, c, c);
    }

    /**
     * Inference-only scaled residual add: {@code out += x * scale}, x and out {@code [R, D]}, scale
     * {@code [1, D]} broadcast over the rows (LayerScale then the residual connection). x's
     * contents are undefined afterwards: the default uses it as scratch, backends may fuse both
     * steps into one pass.
     */
    default void addScaled(Tensor x, Tensor scale, Tensor out) {
        binary(BinaryOp.MUL, x, scale, x);
        binary(BinaryOp.ADD, out, x, out);
    }

    /**
     * Layer norm over the last axis of x {@code [..., D]}: {@code y = (x - mean) / sqrt(var + eps) * gamma + beta}.
     * gamma, beta: {@code [D]}. Saves per-row mean and (biased) variance, both f32 {@code [rows]},
     * for the backward pass.
     */
    void layerNormForward(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean, Tensor variance);

    /**
     * Backward of {@link #layerNormForward}: writes dx {@code [..., D]}, dgamma and dbeta {@code [D]}
     * from x, gamma, the saved mean and variance and dy.
     */
    void layerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor variance, float eps, Tensor dy,
                           Tensor dx, Tensor dgamma, Tensor dbeta);

    /** Softmax (or log-softmax when {@code log}) over the last axis. In place allowed (y == x). */
    void softmaxForward(Tensor x, Tensor y, boolean log);

    /** Backward of softmax from its output y: dx from y and dy. */
    void softmaxBackward(Tensor y, Tensor dy, Tensor dx, boolean log);

    /**
     * L2 normalisation over the last axis, as torch's {@code F.normalize(x, p=2, dim=-1, eps)}:
     * {@code y = x / max(||x||_2, eps)}. x, y: {@code [..., D]}; norm: {@code [rows]} receives the
     * unclamped {@code ||x||_2} of each row for the backward pass (f32, or f64 for f64 inputs).
     * The default loops over host memory in double; device backends override it.
     */
    default void l2NormalizeForward(Tensor x, float eps, Tensor y, Tensor norm) {
        HostL2Normalization.forward(x, eps, y, norm);
    }

    /**
     * Backward of {@link #l2NormalizeForward} from its output y and the saved norms:
     * {@code dx = (dy - y (y . dy)) / ||x||} per row, or {@code dy / eps} where the norm was clamped.
     */
    default void l2NormalizeBackward(Tensor y, Tensor norm, float eps, Tensor dy, Tensor dx) {
        HostL2Normalization.backward(y, norm, eps, dy, dx);
    }

    /**
     * True when {@link #attentionForward} and {@link #attentionBackward} are this backend's fast
     * path for heads of {@code headDim} channels (layers then call them instead of composing
     * matmul and softmax); false where they are only the plain-Java specification.
     */
    default boolean fusesAttention(int headDim) {
        return false;
    }

    /**
     * Fused multi-head self-attention, {@code out = softmax(scale q k^T) v} per sample and head,
     * without materialising the {@code [N, N]} scores. qkv: {@code [B, N, 3D]}, channel
     * {@code s*D + h*hd + d} holding part s (q, k, v) of head h; out: {@code [B, N, D]}, heads
     * concatenated; lse: contiguous f32 {@code [B, H, N]}, receives each query row's log-sum-exp
     * of the scaled scores for the backward pass. Last axes have unit stride. Computes in at least
     * f32 from the stored values (no bf16 rounding of operands). The default loops over host
     * memory in double (see {@link HostAttention}); device backends override it.
     */
    default void attentionForward(Tensor qkv, int heads, float scale, Tensor out, Tensor lse) {
        HostAttention.forward(qkv, heads, scale, out, lse);
    }

    /**
     * Backward of {@link #attentionForward} from qkv, its out and lse and dOut {@code [B, N, D]}:
     * writes dQkv {@code [B, N, 3D]} (dq, dk, dv in qkv's channel layout), recomputing the
     * probabilities from lse.
     */
    default void attentionBackward(Tensor qkv, Tensor out, Tensor lse, Tensor dOut, int heads, float scale,
                                   Tensor dQkv) {
        HostAttention.backward(qkv, out, lse, dOut, heads, scale, dQkv);
    }

    /** Element-wise activation. In place allowed (y == x). */
    void activationForward(Activation activation, Tensor x, Tensor y);

    /** Backward of an activation from its input x: {@code dx = f'(x) * dy}. In place allowed (dx == dy). */
    void activationBackward(Activation activation, Tensor x, Tensor dy, Tensor dx);

    /**
     * {@code out = a op b}, with b broadcast to a's shape (same rank, each dim equal or 1); out has
     * a's shape. In place allowed (out == a).
     */
    void binary(BinaryOp op, Tensor a, Tensor b, Tensor out);

    /** {@code out = alpha * x + beta} element-wise. In place allowed. */
    void linear(Tensor x, float alpha, float beta, Tensor out);

    /**
     * Reduces x into out, which has x's rank with each reduced dimension of size 1 (the others
     * equal). Accumulates in at least f32.
     */
    void reduce(Reduction op, Tensor x, Tensor out);

    /** Copies with any strides on either side; converts dtypes (f32 <-> bf16). */
    void copy(Tensor src, Tensor dst);

    /**
     * Row gather and scatter: {@code dst[dstRows[i]] = src[srcRows[i]]} (or {@code +=} when
     * {@code add}) for {@code i < count}; a null index array stands for {@code i}. src {@code [..., D]}
     * and dst {@code [..., D]} have any strides; rows are numbered in row-major order of the leading
     * dimensions. With {@code add}, dstRows must not repeat a row. The default copies row by row
     * through {@link #copy} and {@link #binary}; device backends override it with one kernel.
     */
    default void copyRows(Tensor src, int[] srcRows, Tensor dst, int[] dstRows, int count, boolean add) {
        RowCopies.rowByRow(this, src, srcRows, dst, dstRows, count, add);
    }

    /** Sets every element to {@code value}. */
    void fill(Tensor x, float value);

    /**
     * One fused AdamW step (decoupled weight decay, bias correction, as torch.optim.AdamW) over
     * f32 tensors of equal shape: param, grad, and the moments m and v, all updated in place
     * except grad.
     */
    void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWStep step);

    /** Waits for queued work (device backends); a no-op on synchronous backends. */
    default void synchronize() {
    }

    @Override
    void close();
}
