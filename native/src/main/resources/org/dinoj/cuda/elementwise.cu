// Element-wise kernels over strided tensors of any rank (see dinoj_common.cuh for Desc).
#include "dinoj_common.cuh"

#define ACT_GELU_ERF 0
#define ACT_SILU 1
#define ACT_RELU 2

#define OP_ADD 0
#define OP_SUB 1
#define OP_MUL 2
#define OP_DIV 3
#define OP_MAX 4
#define OP_MIN 5

extern "C" __global__ void dinoj_fill(void* x, int xt, Desc xd, long long n, float value) {
    GRID_STRIDE_LOOP(i, n) {
        store(x, xt, offset_of(xd, i), value);
    }
}

// dst = src with dtype conversion (f32 <-> bf16) and any strides on either side.
extern "C" __global__ void dinoj_copy(const void* src, int st, Desc sd, void* dst, int dt, Desc dd, long long n) {
    GRID_STRIDE_LOOP(i, n) {
        store(dst, dt, offset_of(dd, i), load(src, st, offset_of(sd, i)));
    }
}

// out = alpha * x + beta
extern "C" __global__ void dinoj_linear(const void* x, int xt, Desc xd, void* out, int ot, Desc od, long long n,
                                        float alpha, float beta) {
    GRID_STRIDE_LOOP(i, n) {
        store(out, ot, offset_of(od, i), alpha * load(x, xt, offset_of(xd, i)) + beta);
    }
}

// out = a op b; bd has out's shape with stride 0 along broadcast dimensions.
extern "C" __global__ void dinoj_binary(int op, const void* a, int at, Desc ad, const void* b, int bt, Desc bd,
                                        void* out, int ot, Desc od, long long n) {
    GRID_STRIDE_LOOP(i, n) {
        float x = load(a, at, offset_of(ad, i));
        float y = load(b, bt, offset_of(bd, i));
        float r;
        switch (op) {
            case OP_ADD: r = x + y; break;
            case OP_SUB: r = x - y; break;
            case OP_MUL: r = x * y; break;
            case OP_DIV: r = x / y; break;
            case OP_MAX: r = max_nan(x, y); break;
            default: r = (x != x || x < y) ? x : y; break;  // NaN-propagating min
        }
        store(out, ot, offset_of(od, i), r);
    }
}

__device__ __forceinline__ float activation(int act, float x) {
    switch (act) {
        case ACT_GELU_ERF: return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
        case ACT_SILU: return x / (1.0f + expf(-x));
        default: return x > 0.0f ? x : 0.0f;
    }
}

// f'(x)
__device__ __forceinline__ float activation_slope(int act, float x) {
    switch (act) {
        case ACT_GELU_ERF: {
            float cdf = 0.5f * (1.0f + erff(x * 0.70710678118654752f));
            float pdf = 0.39894228040143268f * expf(-0.5f * x * x);
            return cdf + x * pdf;
        }
        case ACT_SILU: {
            float s = 1.0f / (1.0f + expf(-x));
            return s * (1.0f + x * (1.0f - s));
        }
        default: return x > 0.0f ? 1.0f : 0.0f;
    }
}

extern "C" __global__ void dinoj_activation_forward(int act, const void* x, int xt, Desc xd, void* y, int yt, Desc yd,
                                                    long long n) {
    GRID_STRIDE_LOOP(i, n) {
        store(y, yt, offset_of(yd, i), activation(act, load(x, xt, offset_of(xd, i))));
    }
}

// dx = f'(x) * dy (dx may be dy)
extern "C" __global__ void dinoj_activation_backward(int act, const void* x, int xt, Desc xd, const void* dy, int dyt,
                                                     Desc dyd, void* dx, int dxt, Desc dxd, long long n) {
    GRID_STRIDE_LOOP(i, n) {
        float slope = activation_slope(act, load(x, xt, offset_of(xd, i)));
        store(dx, dxt, offset_of(dxd, i), slope * load(dy, dyt, offset_of(dyd, i)));
    }
}

// torch.optim.AdamW on f32 tensors: p -= lr*wd*p; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
// p -= lr * (m / bc1) / (sqrt(v / bc2) + eps), with bc1 = 1 - b1^t, bc2 = 1 - b2^t.
extern "C" __global__ void dinoj_adamw(float* p, Desc pd, const float* g, Desc gd, float* m, Desc md, float* v, Desc vd,
                                       long long n, float lr, float beta1, float beta2, float eps, float weight_decay,
                                       float bias_correction1, float bias_correction2) {
    GRID_STRIDE_LOOP(i, n) {
        long long po = offset_of(pd, i);
        long long mo = offset_of(md, i);
        long long vo = offset_of(vd, i);
        float grad = g[offset_of(gd, i)];
        float param = p[po] * (1.0f - lr * weight_decay);
        float m1 = beta1 * m[mo] + (1.0f - beta1) * grad;
        float v1 = beta2 * v[vo] + (1.0f - beta2) * grad * grad;
        m[mo] = m1;
        v[vo] = v1;
        p[po] = param - lr * (m1 / bias_correction1) / (sqrtf(v1 / bias_correction2) + eps);
    }
}

// Row gather/scatter over [..., D] tensors: dst row (didx ? didx[i] : i) = (or +=) src row
// (sidx ? sidx[i] : i) for i < count. Rows come as the row kernels' (leading Desc, last stride).
// One block per row (grid-stride); with add, destination rows never repeat (no two blocks race).
extern "C" __global__ void dinoj_copy_rows(const void* src, int st, Desc sr, long long ss, const int* sidx,
                                           void* dst, int dt, Desc dr, long long ds, const int* didx,
                                           long long count, long long d, int add) {
    for (long long i = blockIdx.x; i < count; i += gridDim.x) {
        long long so = offset_of(sr, sidx ? (long long) sidx[i] : i);
        long long dso = offset_of(dr, didx ? (long long) didx[i] : i);
        for (long long j = threadIdx.x; j < d; j += blockDim.x) {
            float v = load(src, st, so + j * ss);
            if (add) {
                v += load(dst, dt, dso + j * ds);
            }
            store(dst, dt, dso + j * ds, v);
        }
    }
}
