package org.dinoj.model.backend;

import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Tensor;

/**
 * The sizes of one fused multi-head self-attention call, checked against its tensors: qkv
 * {@code [B, N, 3D]} (channel {@code s*D + h*hd + d} holds part s = q, k, v of head h), out and
 * dOut {@code [B, N, D]} (heads concatenated), lse f32 {@code [B, H, N]}; every last axis has
 * stride 1.
 */
public record AttentionShape(long batch, long tokens, int heads, int headDim) {

    /** The model width {@code D = H * hd}. */
    public long dim() {
        return (long) heads * headDim;
    }

    /** Checks qkv, out and lse of {@code op}; out and lse may be null where the op has none. */
    public static AttentionShape of(String op, Tensor qkv, int heads, Tensor out, Tensor lse) {
        if (qkv.rank() != 3 || qkv.size(2) % 3 != 0) {
            throw new IllegalArgumentException(op + ": qkv " + qkv + " must be [B, N, 3D]");
        }
        long dim = qkv.size(2) / 3;
        if (heads <= 0 || dim % heads != 0) {
            throw new IllegalArgumentException(op + ": " + heads + " heads do not divide the width " + dim
                    + " of qkv " + qkv + "; pass the layer's head count");
        }
        AttentionShape shape = new AttentionShape(qkv.size(0), qkv.size(1), heads, (int) (dim / heads));
        requireLastStrideOne(op, qkv, "qkv");
        if (out != null) {
            shape.requireRows(op, out, "out");
        }
        if (lse != null && (lse.rank() != 3 || lse.size(0) != shape.batch || lse.size(1) != heads
                || lse.size(2) != shape.tokens || !lse.isContiguous()
                || (lse.dtype() != DType.F32 && lse.dtype() != DType.F64))) {
            throw new IllegalArgumentException(op + ": lse " + lse + " must be a contiguous f32 (or f64) ["
                    + shape.batch + ", " + heads + ", " + shape.tokens + "] for qkv " + qkv);
        }
        return shape;
    }

    /** Checks that {@code t} is {@code [B, N, D]} with a unit last stride. */
    public void requireRows(String op, Tensor t, String name) {
        if (t.rank() != 3 || t.size(0) != batch || t.size(1) != tokens || t.size(2) != dim()) {
            throw new IllegalArgumentException(op + ": " + name + " " + t + " must be [" + batch + ", " + tokens
                    + ", " + dim() + "] ([B, N, D], heads concatenated)");
        }
        requireLastStrideOne(op, t, name);
    }

    private static void requireLastStrideOne(String op, Tensor t, String name) {
        if (t.size(2) > 1 && t.stride(2) != 1) {
            throw new IllegalArgumentException(op + ": " + name + " " + t + " must have a unit stride on its last axis");
        }
    }
}
