package org.dinoj.model.train;

import java.lang.foreign.MemorySegment;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.tensor.Device;
import org.dinoj.model.tensor.Tensor;

/**
 * Moves the tokens of masked patches between a backbone's token tensor and a packed
 * {@code [rows, D]} head input (dinov2's {@code x_norm_patchtokens.flatten(0, 1)[mask_indices_list]}
 * and its adjoint). Host tensors are copied row by row with memory copies; device tensors with one
 * {@link Backend#copyRows} (one kernel on the GPU).
 */
final class MaskedTokens {
    private MaskedTokens() {
    }

    /**
     * {@code dst[i] = tokens[c, first + p]} for the i-th flat index {@code c * Np + p}.
     *
     * @param tokens {@code [N, T, D]} contiguous (CLS, registers, patches)
     * @param first  index of the first patch token (1 + registers)
     * @param dst    {@code [rows >= indices.length, D]} contiguous
     */
    static void gather(Backend backend, Tensor tokens, int first, int patchesPerCrop, int[] indices, Tensor dst) {
        long tokensPerCrop = tokens.size(1);
        long dim = tokens.size(2);
        requireContiguous(tokens, dst);
        if (tokens.device() == Device.CPU && dst.device() == Device.CPU) {
            long rowBytes = dim * tokens.dtype().byteSize();
            MemorySegment src = tokens.data();
            MemorySegment out = dst.data();
            for (int i = 0; i < indices.length; i++) {
                long row = (indices[i] / patchesPerCrop) * tokensPerCrop + first + indices[i] % patchesPerCrop;
                MemorySegment.copy(src, row * rowBytes, out, i * rowBytes, rowBytes);
            }
            return;
        }
        // [N, Np, D] patch tokens: row c * Np + p of this view is flat index c * Np + p
        backend.copyRows(tokens.slice(1, first, patchesPerCrop), indices, dst, null, indices.length, false);
    }

    /**
     * {@code patches[c, p] = src[i]} for the i-th flat index {@code c * Np + p}; other rows of
     * {@code patches} are left as they are (zero them first).
     *
     * @param src     {@code [rows >= indices.length, D]} contiguous
     * @param patches {@code [N, Np, D]} contiguous
     */
    static void scatter(Backend backend, Tensor src, int[] indices, Tensor patches) {
        long dim = patches.size(2);
        requireContiguous(src, patches);
        if (src.device() == Device.CPU && patches.device() == Device.CPU) {
            long rowBytes = dim * src.dtype().byteSize();
            for (int i = 0; i < indices.length; i++) {
                MemorySegment.copy(src.data(), i * rowBytes, patches.data(), indices[i] * rowBytes, rowBytes);
            }
            return;
        }
        backend.copyRows(src, null, patches, indices, indices.length, false);
    }

    private static void requireContiguous(Tensor a, Tensor b) {
        if (!a.isContiguous() || !b.isContiguous() || a.dtype() != b.dtype()) {
            throw new IllegalArgumentException("masked-token copies need contiguous tensors of one dtype, got " + a
                    + " and " + b);
        }
    }
}
