package org.dinoj.model.tensor;

/** Something that hands out zero-filled tensors and owns their memory. */
public interface TensorAllocator {
    Tensor allocate(DType dtype, long... shape);

    default Tensor f32(long... shape) {
        return allocate(DType.F32, shape);
    }
}
