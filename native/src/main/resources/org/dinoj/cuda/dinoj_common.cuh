// Shared by every dinoj kernel (NVRTC resolves #include "dinoj_common.cuh" from the backend).
// Tensors arrive as a raw pointer, a dtype code and a Desc (shape and element strides, the
// layout org.dinoj.model.backend.cuda.TensorDesc packs); values are computed in f32.
#pragma once

#define DINOJ_MAX_RANK 8
#define DINOJ_F32 0
#define DINOJ_BF16 1

struct Desc {
    long long shape[DINOJ_MAX_RANK];
    long long stride[DINOJ_MAX_RANK];
    int rank;
    int contiguous;  // 1 when element i of the row-major order is at offset i
};

// Element offset of the element at row-major position `flat`.
__device__ __forceinline__ long long offset_of(const Desc& d, long long flat) {
    if (d.contiguous) {
        return flat;
    }
    long long off = 0;
    for (int i = d.rank - 1; i >= 0; --i) {
        long long size = d.shape[i];
        long long q = flat / size;
        off += (flat - q * size) * d.stride[i];
        flat = q;
    }
    return off;
}

__device__ __forceinline__ float bf16_to_f32(unsigned short bits) {
    return __uint_as_float(((unsigned int) bits) << 16);
}

// Round to nearest even, NaN stays a quiet NaN (as DType.floatToBf16 on the host).
__device__ __forceinline__ unsigned short f32_to_bf16(float value) {
    unsigned int u = __float_as_uint(value);
    if ((u & 0x7fffffffu) > 0x7f800000u) {
        return (unsigned short) ((u >> 16) | 0x40u);
    }
    u += 0x7fffu + ((u >> 16) & 1u);
    return (unsigned short) (u >> 16);
}

__device__ __forceinline__ float load(const void* p, int dtype, long long off) {
    return dtype == DINOJ_F32 ? ((const float*) p)[off] : bf16_to_f32(((const unsigned short*) p)[off]);
}

__device__ __forceinline__ void store(void* p, int dtype, long long off, float value) {
    if (dtype == DINOJ_F32) {
        ((float*) p)[off] = value;
    } else {
        ((unsigned short*) p)[off] = f32_to_bf16(value);
    }
}

// NaN-propagating max, as Math.max on the host.
__device__ __forceinline__ float max_nan(float a, float b) {
    return (a != a || a > b) ? a : b;
}

#define DINOJ_NEG_INF __int_as_float(0xff800000)

#define GRID_STRIDE_LOOP(i, n) \
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (long long) blockDim.x * gridDim.x)

// Sum of `value` over the block; every thread gets the result. `scratch` holds 32 floats.
// blockDim.x must be a multiple of 32.
__device__ __forceinline__ float block_sum(float value, float* scratch) {
    for (int o = 16; o > 0; o >>= 1) {
        value += __shfl_xor_sync(0xffffffffu, value, o);
    }
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    __syncthreads();  // scratch may still be read by a previous reduction
    if (lane == 0) {
        scratch[warp] = value;
    }
    __syncthreads();
    int warps = blockDim.x >> 5;
    value = lane < warps ? scratch[lane] : 0.0f;
    for (int o = 16; o > 0; o >>= 1) {
        value += __shfl_xor_sync(0xffffffffu, value, o);
    }
    return value;
}

__device__ __forceinline__ float block_max(float value, float* scratch) {
    for (int o = 16; o > 0; o >>= 1) {
        value = max_nan(value, __shfl_xor_sync(0xffffffffu, value, o));
    }
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    __syncthreads();
    if (lane == 0) {
        scratch[warp] = value;
    }
    __syncthreads();
    int warps = blockDim.x >> 5;
    value = lane < warps ? scratch[lane] : DINOJ_NEG_INF;
    for (int o = 16; o > 0; o >>= 1) {
        value = max_nan(value, __shfl_xor_sync(0xffffffffu, value, o));
    }
    return value;
}
