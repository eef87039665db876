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
