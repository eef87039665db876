package org.dinoj.model.backend.dnnl;

/** The kinds of cached oneDNN primitives; the first word of every {@link PrimitiveKey}. */
enum PrimitiveOp {
    MATMUL,
    LAYER_NORM_FORWARD,
    LAYER_NORM_BACKWARD,
    SOFTMAX_FORWARD,
    SOFTMAX_BACKWARD,
    ELTWISE_FORWARD,
    ELTWISE_BACKWARD,
    BINARY,
    LINEAR,
    REDUCTION,
    REORDER
}
