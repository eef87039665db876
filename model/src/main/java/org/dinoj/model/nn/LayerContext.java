package org.dinoj.model.nn;

import org.dinoj.model.backend.Backend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;

/**
 * Where a model's layers compute (backend), where their parameters and activation buffers live
 * (allocator) and in which element type: F32 for training, F64 for finite-difference tests on the
 * reference backend.
 */
public record LayerContext(Backend backend, TensorAllocator allocator, DType dtype) {
    public LayerContext {
        if (dtype == DType.BF16) {
            throw new IllegalArgumentException("layers keep parameters and activations in F32 (or F64 for tests), not "
                    + dtype + ": choose the bf16 matmul precision on the backend instead");
        }
    }

    /** A zero-filled parameter with a zero-filled gradient of the same shape. */
    public Parameter parameter(String name, long... shape) {
        return new Parameter(name, allocator.allocate(dtype, shape), allocator.allocate(dtype, shape));
    }

    /** A zero-filled tensor in the activation dtype. */
    public Tensor tensor(long... shape) {
        return allocator.allocate(dtype, shape);
    }

    /** A zero-filled tensor for per-row statistics (means, variances, norms): f32, or f64 in f64 models. */
    public Tensor statistics(long... shape) {
        return allocator.allocate(dtype == DType.F64 ? DType.F64 : DType.F32, shape);
    }
}
