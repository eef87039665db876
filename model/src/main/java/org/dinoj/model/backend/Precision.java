package org.dinoj.model.backend;

/** Matmul compute precision of a backend. Storage, master weights and reductions stay f32. */
public enum Precision {
    F32,
    /** Matmul inputs rounded to bf16, products accumulated in f32 (AMX on CPUs that have it). */
    BF16
}
