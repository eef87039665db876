// Row kernels over the last axis: a tensor [..., D] is rows x D. Each tensor comes as a Desc of its
// leading dimensions (row r starts at offset_of(rows, r)) and the element stride of its last axis.
// One block per row (grid-stride over rows); blockDim.x is a multiple of 32.
#include "dinoj_common.cuh"

// y = (x - mean) / sqrt(var + eps) * gamma + beta; saves mean and biased variance per row (f32).
extern "C" __global__ void dinoj_layer_norm_forward(
        const void* x, int xt, Desc xr, long long xs,
        const void* gamma, int gt, long long gs, const void* beta, int bt, long long bs,
        void* y, int yt, Desc yr, long long ys,
        float* mean, Desc mr, float* var, Desc vr,
        long long rows, long long d, float eps) {
    __shared__ float scratch[32];
    float inv_d = 1.0f / (float) d;
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        long long xo = offset_of(xr, r);
        float sum = 0.0f;
        for (long long j = threadIdx.x; j < d; j += blockDim.x) {
            sum += load(x, xt, xo + j * xs);
        }
        float mu = block_sum(sum, scratch) * inv_d;
        float sq = 0.0f;
        for (long long j = threadIdx.x; j < d; j += blockDim.x) {
            float c = load(x, xt, xo + j * xs) - mu;
            sq += c * c;
        }
        float variance = block_sum(sq, scratch) * inv_d;
        float rstd = rsqrtf(variance + eps);
        long long yo = offset_of(yr, r);
        for (long long j = threadIdx.x; j < d; j += blockDim.x) {
            float xhat = (load(x, xt, xo + j * xs) - mu) * rstd;
            store(y, yt, yo + j * ys, xhat * load(gamma, gt, j * gs) + load(beta, bt, j * bs));
        }
        if (threadIdx.x == 0) {
            mean[offset_of(mr, r)] = mu;
            var[offset_of(vr, r)] = variance;
        }
    }
}

// dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * gamma.
extern "C" __global__ void dinoj_layer_norm_backward_dx(
        const void* x, int xt, Desc xr, long long xs,
        const void* gamma, int gt, long long gs,
        const float* mean, Desc mr, const float* var, Desc vr,
        const void* dy, int dyt, Desc dyr, long long dys,
        void* dx, int dxt, Desc dxr, long long dxs,
        long long rows, long long d, float eps) {
    __shared__ float scratch[32];
    float inv_d = 1.0f / (float) d;
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        long long xo = offset_of(xr, r);
        long long dyo = offset_of(dyr, r);
        float mu = mean[offset_of(mr, r)];
        float rstd = rsqrtf(var[offset_of(vr, r)] + eps);
        float sum_g = 0.0f;
        float sum_gx = 0.0f;
        for (long long j = threadIdx.x; j < d; j += blockDim.x) {
            float g = load(dy, dyt, dyo + j * dys) * load(gamma, gt, j * gs);
            float xhat = (load(x, xt, xo + j * xs) - mu) * rstd;
            sum_g += g;
            sum_gx += g * xhat;
        }
        float mean_g = block_sum(sum_g, scratch) * inv_d;
        float mean_gx = block_sum(sum_gx, scratch) * inv_d;
        long long dxo = offset_of(dxr, r);
        for (long long j = threadIdx.x; j < d; j += blockDim.x) {
            float g = load(dy, dyt, dyo + j * dys) * load(gamma, gt, j * gs);
            float xhat = (load(x, xt, xo + j * xs) - mu) * rstd;
            store(dx, dxt, dxo + j * dxs, rstd * (g - mean_g - xhat * mean_gx));
        }
    }
}

// Partial dgamma = sum(dy * xhat) and dbeta = sum(dy) over the rows of chunk blockIdx.y, one thread
// per column: partial_* are f32 [chunks, d], summed by dinoj_sum_chunks (deterministic, no atomics).
extern "C" __global__ void dinoj_layer_norm_backward_params(
        const void* x, int xt, Desc xr, long long xs,
        const float* mean, Desc mr, const float* var, Desc vr,
        const void* dy, int dyt, Desc dyr, long long dys,
        float* partial_dgamma, float* partial_dbeta,
        long long rows, long long d, long long rows_per_chunk, float eps) {
    long long j = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= d) {
        return;
    }
    long long first = (long long) blockIdx.y * rows_per_chunk;
    long long last = min(rows, first + rows_per_chunk);
    float dgamma = 0.0f;
    float dbeta = 0.0f;
    for (long long r = first; r < last; ++r) {
        float mu = mean[offset_of(mr, r)];
        float rstd = rsqrtf(var[offset_of(vr, r)] + eps);
        float g = load(dy, dyt, offset_of(dyr, r) + j * dys);
        dgamma += g * (load(x, xt, offset_of(xr, r) + j * xs) - mu) * rstd;
        dbeta += g;
    }
    partial_dgamma[blockIdx.y * d + j] = dgamma;
    partial_dbeta[blockIdx.y * d + j] = dbeta;
}

// out[j] = sum over c of partial[c, j] (partial f32 [chunks, d] contiguous); out is [d] with stride os.
extern "C" __global__ void dinoj_sum_chunks(const float* partial, long long chunks, long long d,
                                            void* out, int ot, long long os) {
    GRID_STRIDE_LOOP(j, d) {
        float s = 0.0f;
        for (long long c = 0; c < chunks; ++c) {
            s += partial[c * d + j];
        }
        store(out, ot, j * os, s);
    }
}

// Softmax (or log-softmax) over the last axis; y may be x.
extern "C" __global__ void dinoj_softmax_forward(
        const void* x, int xt, Desc xr, long long xs,
        void* y, int yt, Desc yr, long long ys,
        long long rows, long long d, int log_softmax) {
    __shared__ float scratch[32];
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        long long xo = offset_of(xr, r);
        float m = DINOJ_NEG_INF;
        for (long long j = threadIdx.x; j < d; j += blockDim.x) {
            m = max_nan(m, load(x, xt, xo + j * xs));
        }
        m = block_max(m, scratch);
        float s = 0.0f;
        for (long long j = threadIdx.x; j < d; j += blockDim.x) {
            s += expf(load(x, xt, xo + j * xs) - m);
        }
        s = block_sum(s, scratch);
        long long yo = offset_of(yr, r);
        float log_s = logf(s);
        float inv_s = 1.0f / s;
        for (long long j = threadIdx.x; j < d; j += blockDim.x) {
            float v = load(x, xt, xo + j * xs) - m;
            store(y, yt, yo + j * ys, log_softmax ? v - log_s : expf(v) * inv_s);
        }
    }
}

// From the forward output y: softmax dx = y * (dy - sum(dy * y)); log-softmax dx = dy - exp(y) * sum(dy).
extern "C" __global__ void dinoj_softmax_backward(
        const void* y, int yt, Desc yr, long long ys,
        const void* dy, int dyt, Desc dyr, long long dys,
        void* dx, int dxt, Desc dxr, long long dxs,
        long long rows, long long d, int log_softmax) {
    __shared__ float scratch[32];
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        long long yo = offset_of(yr, r);
        long long dyo = offset_of(dyr, r);
        float s = 0.0f;
        for (long long j = threadIdx.x; j < d; j += blockDim.x) {
            float g = load(dy, dyt, dyo + j * dys);
            s += log_softmax ? g : g * load(y, yt, yo + j * ys);
        }
        s = block_sum(s, scratch);
        long long dxo = offset_of(dxr, r);
        for (long long j = threadIdx.x; j < d; j += blockDim.x) {
            float g = load(dy, dyt, dyo + j * dys);
            float yv = load(y, yt, yo + j * ys);
            store(dx, dxt, dxo + j * dxs, log_softmax ? g - expf(yv) * s : yv * (g - s));
        }
    }
}

// L2 normalisation as torch's F.normalize: y = x / max(||x||, eps); norm[r] = ||x|| unclamped (f32).
// y may be x.
extern "C" __global__ void dinoj_l2_normalize_forward(
        const void* x, int xt, Desc xr, long long xs,
        void* y, int yt, Desc yr, long long ys,
        float* norm, Desc nr,
        long long rows, long long d, float eps) {
    __shared__ float scratch[32];
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        long long xo = offset_of(xr, r);
        float sq = 0.0f;
        for (long long j = threadIdx.x; j < d; j += blockDim.x) {
            float v = load(x, xt, xo + j * xs);
            sq += v * v;
        }
        float n = sqrtf(block_sum(sq, scratch));
        float inv = 1.0f / fmaxf(n, eps);
        long long yo = offset_of(yr, r);
        for (long long j = threadIdx.x; j < d; j += blockDim.x) {
            store(y, yt, yo + j * ys, load(x, xt, xo + j * xs) * inv);
        }
        if (threadIdx.x == 0) {
            norm[offset_of(nr, r)] = n;
        }
    }
}

// Backward from y and the saved norms: dx = (dy - y (y . dy)) / norm, or dy / eps where the norm was
// clamped (norm <= eps: the denominator was the constant eps). dx may be dy.
extern "C" __global__ void dinoj_l2_normalize_backward(
        const void* y, int yt, Desc yr, long long ys,
        const float* norm, Desc nr,
        const void* dy, int dyt, Desc dyr, long long dys,
        void* dx, int dxt, Desc dxr, long long dxs,
        long long rows, long long d, float eps) {
    __shared__ float scratch[32];
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        long long yo = offset_of(yr, r);
        long long dyo = offset_of(dyr, r);
        long long dxo = offset_of(dxr, r);
        float n = norm[offset_of(nr, r)];
        if (n > eps) {
            float dot = 0.0f;
            for (long long j = threadIdx.x; j < d; j += blockDim.x) {
                dot += load(y, yt, yo + j * ys) * load(dy, dyt, dyo + j * dys);
            }
            dot = block_sum(dot, scratch);
            float inv = 1.0f / n;
            for (long long j = threadIdx.x; j < d; j += blockDim.x) {
                float g = load(dy, dyt, dyo + j * dys);
                store(dx, dxt, dxo + j * dxs, (g - load(y, yt, yo + j * ys) * dot) * inv);
            }
        } else {
            float inv = 1.0f / eps;
            for (long long j = threadIdx.x; j < d; j += blockDim.x) {
                store(dx, dxt, dxo + j * dxs, load(dy, dyt, dyo + j * dys) * inv);
            }
        }
    }
}

// Softmax over few, huge rows (Sinkhorn-Knopp normalises all rows * K teacher logits as one row):
// blockIdx.x takes one chunk of a row, blockIdx.y the row, so the whole device works on it.
// Pass 1 writes each chunk's max and sum of exp(x - max) to partial[(r * chunks + c) * 2 + {0, 1}].
extern "C" __global__ void dinoj_softmax_partial(
        const void* x, int xt, Desc xr, long long xs,
        long long rows, long long d, long long chunk, float* partial) {
    __shared__ float scratch[32];
    long long chunks = gridDim.x;
    long long begin = (long long) blockIdx.x * chunk;
    long long end = min(d, begin + chunk);
    for (long long r = blockIdx.y; r < rows; r += gridDim.y) {
        long long xo = offset_of(xr, r);
        float m = DINOJ_NEG_INF;
        for (long long j = begin + threadIdx.x; j < end; j += blockDim.x) {
            m = max_nan(m, load(x, xt, xo + j * xs));
        }
        m = block_max(m, scratch);
        float s = 0.0f;
        if (m != DINOJ_NEG_INF) {  // an all -inf chunk adds nothing
            for (long long j = begin + threadIdx.x; j < end; j += blockDim.x) {
                s += expf(load(x, xt, xo + j * xs) - m);
            }
        }
        s = block_sum(s, scratch);
        if (threadIdx.x == 0) {
            partial[(r * chunks + blockIdx.x) * 2] = m;
            partial[(r * chunks + blockIdx.x) * 2 + 1] = s;
        }
    }
}

// Pass 2: every block combines its row's chunk statistics (few) and writes its chunk of y.
extern "C" __global__ void dinoj_softmax_finish(
        const void* x, int xt, Desc xr, long long xs,
        void* y, int yt, Desc yr, long long ys,
        long long rows, long long d, long long chunk, const float* partial, int log_softmax) {
    __shared__ float scratch[32];
    long long chunks = gridDim.x;
    long long begin = (long long) blockIdx.x * chunk;
    long long end = min(d, begin + chunk);
    for (long long r = blockIdx.y; r < rows; r += gridDim.y) {
        float m = DINOJ_NEG_INF;
        for (long long c = threadIdx.x; c < chunks; c += blockDim.x) {
            m = max_nan(m, partial[(r * chunks + c) * 2]);
        }
        m = block_max(m, scratch);
        float s = 0.0f;
        for (long long c = threadIdx.x; c < chunks; c += blockDim.x) {
            float mc = partial[(r * chunks + c) * 2];
            if (mc != DINOJ_NEG_INF) {
                s += partial[(r * chunks + c) * 2 + 1] * expf(mc - m);
            }
        }
        s = block_sum(s, scratch);
        if (m == DINOJ_NEG_INF) {
            s = nanf("");  // every logit -inf: NaN, as the one-block kernel's exp(-inf - -inf)
        }
        long long xo = offset_of(xr, r);
        long long yo = offset_of(yr, r);
        float log_s = logf(s);
        float inv_s = 1.0f / s;
        for (long long j = begin + threadIdx.x; j < end; j += blockDim.x) {
            float v = load(x, xt, xo + j * xs) - m;
            store(y, yt, yo + j * ys, log_softmax ? v - log_s : expf(v) * inv_s);
        }
    }
}
