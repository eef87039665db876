// Reductions of a strided tensor into out, which keeps x's rank with reduced dimensions of size 1.
// kept: out's shape with x's strides (reduced dims size 1); red: the reduced dims' sizes with x's
// strides. One block per output element (grid-stride); threads stride over the reduced elements.
#include "dinoj_common.cuh"

#define RED_SUM 0
#define RED_SUM_OF_SQUARES 1
#define RED_MEAN 2
#define RED_MAX 3

extern "C" __global__ void dinoj_reduce(int op, const void* x, int xt, Desc kept, Desc red, long long red_count,
                                        void* out, int ot, Desc od, long long out_count) {
    __shared__ float scratch[32];
    for (long long o = blockIdx.x; o < out_count; o += gridDim.x) {
        long long base = offset_of(kept, o);
        float acc = op == RED_MAX ? DINOJ_NEG_INF : 0.0f;
        for (long long k = threadIdx.x; k < red_count; k += blockDim.x) {
            float v = load(x, xt, base + offset_of(red, k));
            if (op == RED_MAX) {
                acc = max_nan(acc, v);
            } else {
                acc += op == RED_SUM_OF_SQUARES ? v * v : v;
            }
        }
        float total = op == RED_MAX ? block_max(acc, scratch) : block_sum(acc, scratch);
        if (threadIdx.x == 0) {
            store(out, ot, offset_of(od, o), op == RED_MEAN ? total / (float) red_count : total);
        }
    }
}

// Split reduction for few outputs over many elements (a whole tensor's sum, a loss total): one
// block per (chunk of the reduced elements, output) instead of one block per output, so the whole
// device reads. Pass 1 writes partial[o * chunks + c] (MEAN as a plain sum); pass 2
// (dinoj_reduce_finish) combines each output's chunks.
extern "C" __global__ void dinoj_reduce_partial(int op, const void* x, int xt, Desc kept, Desc red,
                                                long long red_count, long long chunk, float* partial,
                                                long long out_count) {
    __shared__ float scratch[32];
    long long chunks = gridDim.x;
    long long begin = (long long) blockIdx.x * chunk;
    long long end = min(red_count, begin + chunk);
    for (long long o = blockIdx.y; o < out_count; o += gridDim.y) {
        long long base = offset_of(kept, o);
        float acc = op == RED_MAX ? DINOJ_NEG_INF : 0.0f;
        for (long long k = begin + threadIdx.x; k < end; k += blockDim.x) {
            float v = load(x, xt, base + offset_of(red, k));
            if (op == RED_MAX) {
                acc = max_nan(acc, v);
            } else {
                acc += op == RED_SUM_OF_SQUARES ? v * v : v;
            }
        }
        float total = op == RED_MAX ? block_max(acc, scratch) : block_sum(acc, scratch);
        if (threadIdx.x == 0) {
            partial[o * chunks + blockIdx.x] = total;
        }
    }
}

extern "C" __global__ void dinoj_reduce_finish(int op, const float* partial, long long chunks, long long red_count,
                                               void* out, int ot, Desc od, long long out_count) {
    __shared__ float scratch[32];
    for (long long o = blockIdx.x; o < out_count; o += gridDim.x) {
        float acc = op == RED_MAX ? DINOJ_NEG_INF : 0.0f;
        for (long long c = threadIdx.x; c < chunks; c += blockDim.x) {
            float v = partial[o * chunks + c];
            acc = op == RED_MAX ? max_nan(acc, v) : acc + v;
        }
        float total = op == RED_MAX ? block_max(acc, scratch) : block_sum(acc, scratch);
        if (threadIdx.x == 0) {
            store(out, ot, offset_of(od, o), op == RED_MEAN ? total / (float) red_count : total);
        }
    }
}

// Column reductions (the reduced dimensions lie outside the kept ones, e.g. a bias gradient
// [rows, D] -> [D], Sinkhorn-Knopp's per-prototype sums): one thread per output, so a warp reads
// 32 neighbouring outputs of one reduced index (coalesced when the kept innermost stride is 1),
// blockIdx.y splitting the reduced elements into chunks; partial[c * out_count + o], combined by
// dinoj_reduce_columns_finish.
extern "C" __global__ void dinoj_reduce_columns_partial(int op, const void* x, int xt, Desc kept, Desc red,
                                                        long long red_count, long long chunk, float* partial,
                                                        long long out_count) {
    long long begin = (long long) blockIdx.y * chunk;
    long long end = min(red_count, begin + chunk);
    GRID_STRIDE_LOOP(o, out_count) {
        long long base = offset_of(kept, o);
        float acc = op == RED_MAX ? DINOJ_NEG_INF : 0.0f;
        for (long long k = begin; k < end; ++k) {
            float v = load(x, xt, base + offset_of(red, k));
            if (op == RED_MAX) {
                acc = max_nan(acc, v);
            } else {
                acc += op == RED_SUM_OF_SQUARES ? v * v : v;
            }
        }
        partial[(long long) blockIdx.y * out_count + o] = acc;
    }
}

extern "C" __global__ void dinoj_reduce_columns_finish(int op, const float* partial, long long chunks,
                                                       long long red_count, void* out, int ot, Desc od,
                                                       long long out_count) {
    GRID_STRIDE_LOOP(o, out_count) {
        float acc = op == RED_MAX ? DINOJ_NEG_INF : 0.0f;
        for (long long c = 0; c < chunks; ++c) {
            float v = partial[c * out_count + o];
            acc = op == RED_MAX ? max_nan(acc, v) : acc + v;
        }
        store(out, ot, offset_of(od, o), op == RED_MEAN ? acc / (float) red_count : acc);
    }
}
