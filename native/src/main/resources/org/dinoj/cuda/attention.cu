// Fused multi-head self-attention (flash attention: online softmax, f32 accumulation), forward and
// backward, on the qkv layout of dinoj's Attention layer:
//   qkv [B, N, 3D], channel s*D + h*hd + d holds part s (q, k, v) of head h; element (b, n, c) at
//   b*qkv_bs + n*qkv_ns + c (unit channel stride); out, dout [B, N, D] likewise with their own
//   strides; lse, delta f32 [B, H, N] contiguous.
// Scores never reach memory: forward keeps each query row's log-sum-exp (lse), backward recomputes
// the probabilities P = exp(scale q k^T - lse) from it.
//
// Thread layout: a group of TPK adjacent lanes owns one query (or key) row and SL channels of it
// each (hd <= SL * TPK, the rest zero padded); dot products over hd are the lanes' partial sums
// combined with warp shuffles. Blocks hold TILE rows; the other side's rows stream through shared
// memory in tiles of TILE rows. grid.x: row tiles, grid.y: batch * heads (grid-stride).
#include "dinoj_common.cuh"

#define DINOJ_LOG2E 1.4426950408889634f
#define DINOJ_LN2 0.6931471805599453f
#define DINOJ_POS_INF __int_as_float(0x7f800000)

template <int TPK>
__device__ __forceinline__ float group_sum(float value) {
#pragma unroll
    for (int o = 1; o < TPK; o <<= 1) {
        value += __shfl_xor_sync(0xffffffffu, value, o);
    }
    return value;
}

// Shared tiles hold each lane's SL channels followed by 4 floats of padding (row length
// TPK * (SL + 4)): the lanes of a row group read the same channel offset of different slices, and
// without the padding those addresses would share a bank (2- or 4-way conflicts). The padding keeps
// 16-byte alignment, so the reads stay vectorised.
template <int SL>
__device__ __forceinline__ int tile_column(int d) {
    return d + 4 * (d / SL);
}

// Loads rows [row0, row0 + TILE) of the channels [c0, c0 + hd) of a [B, N, *] tensor of sample b
// into tile[TILE][ROW] (channel d at tile_column(d)); rows past n and channels past hd become 0.
template <int TILE, int SL, int TPK>
__device__ __forceinline__ void load_tile(float (*tile)[TPK * (SL + 4)], const void* p, int pt, long long bs,
                                          long long ns, long long b, long long c0, int row0, int n, int hd) {
    constexpr int HDP = SL * TPK;
    for (int idx = threadIdx.x; idx < TILE * HDP; idx += blockDim.x) {
        int r = idx / HDP;
        int d = idx - r * HDP;
        int row = row0 + r;
        tile[r][tile_column<SL>(d)] = (row < n && d < hd) ? load(p, pt, b * bs + (long long) row * ns + c0 + d) : 0.0f;
    }
}

// out = softmax(scale q k^T) v per (b, h); lse = log-sum-exp of each query row's scaled scores.
template <int SL, int TPK, int TILE>
__device__ void attention_forward(const void* qkv, int qt, long long qkv_bs, long long qkv_ns,
                                  void* out, int ot, long long out_bs, long long out_ns, float* lse,
                                  int batch, int heads, int n, int hd, float scale) {
    constexpr int ROW = TPK * (SL + 4);
    __shared__ __align__(16) float ks[TILE][ROW];
    __shared__ __align__(16) float vs[TILE][ROW];
    const int group = threadIdx.x / TPK;
    const int part = threadIdx.x - group * TPK;
    const int c_lo = part * SL;        // first global channel of this lane
    const int s_lo = part * (SL + 4);  // its first shared-tile column
    const int row = blockIdx.x * TILE + group;
    const long long dim = (long long) heads * hd;
    // Scores in base 2: q carries scale * log2(e), so exp2 of score differences is exp of the scaled ones.
    const float q_scale = scale * DINOJ_LOG2E;
    for (long long bh = blockIdx.y; bh < (long long) batch * heads; bh += gridDim.y) {
        const long long b = bh / heads;
        const long long h = bh - b * heads;
        const long long qc = h * hd;
        float q[SL];
        float acc[SL];
#pragma unroll
        for (int t = 0; t < SL; ++t) {
            int d = c_lo + t;
            q[t] = (row < n && d < hd) ? load(qkv, qt, b * qkv_bs + (long long) row * qkv_ns + qc + d) * q_scale : 0.0f;
            acc[t] = 0.0f;
        }
        float m = DINOJ_NEG_INF;
        float l = 0.0f;
        for (int key0 = 0; key0 < n; key0 += TILE) {
            __syncthreads();  // the previous tile is no longer read
            load_tile<TILE, SL, TPK>(ks, qkv, qt, qkv_bs, qkv_ns, b, dim + qc, key0, n, hd);
            load_tile<TILE, SL, TPK>(vs, qkv, qt, qkv_bs, qkv_ns, b, 2 * dim + qc, key0, n, hd);
            __syncthreads();
            const int keys = min(TILE, n - key0);
            // Chunks of 16 keys: scores in registers, one rescale of acc per chunk.
            for (int j0 = 0; j0 < keys; j0 += 16) {
                float s[16];
                float chunk_max = DINOJ_NEG_INF;
#pragma unroll
                for (int jj = 0; jj < 16; ++jj) {
                    const int j = j0 + jj;
                    float dot = 0.0f;
                    if (j < keys) {  // uniform over the block: every lane of a group shuffles together
#pragma unroll
                        for (int t = 0; t < SL; ++t) {
                            dot += q[t] * ks[j][s_lo + t];
                        }
                        dot = group_sum<TPK>(dot);
                    }
                    s[jj] = j < keys ? dot : DINOJ_NEG_INF;
                    chunk_max = fmaxf(chunk_max, s[jj]);
                }
                const float m_new = fmaxf(m, chunk_max);
                const float correction = exp2f(m - m_new);  // 0 on the first chunk (m = -inf)
                l *= correction;
#pragma unroll
                for (int t = 0; t < SL; ++t) {
                    acc[t] *= correction;
                }
#pragma unroll
                for (int jj = 0; jj < 16; ++jj) {
                    const int j = j0 + jj;
                    if (j < keys) {
                        const float p = exp2f(s[jj] - m_new);
                        l += p;
#pragma unroll
                        for (int t = 0; t < SL; ++t) {
                            acc[t] += p * vs[j][s_lo + t];
                        }
                    }
                }
                m = m_new;
            }
        }
        if (row < n) {
            const float inv_l = 1.0f / l;
#pragma unroll
            for (int t = 0; t < SL; ++t) {
                int d = c_lo + t;
                if (d < hd) {
                    store(out, ot, b * out_bs + (long long) row * out_ns + qc + d, acc[t] * inv_l);
                }
            }
            if (part == 0) {
                lse[bh * n + row] = (m + log2f(l)) * DINOJ_LN2;
            }
        }
    }
}

// delta[b, h, i] = sum_d dout[b, i, h*hd + d] * out[b, i, h*hd + d] (= sum_j P_ij dP_ij), one thread
// per (b, h, i).
extern "C" __global__ void dinoj_attention_backward_delta(
        const void* out, int ot, long long out_bs, long long out_ns,
        const void* dout, int dt, long long dout_bs, long long dout_ns,
        float* delta, int batch, int heads, int n, int hd) {
    GRID_STRIDE_LOOP(i, (long long) batch * heads * n) {
        long long row = i % n;
        long long bh = i / n;
        long long b = bh / heads;
        long long c0 = (bh - b * heads) * hd;
        float sum = 0.0f;
        for (int d = 0; d < hd; ++d) {
            sum += load(dout, dt, b * dout_bs + row * dout_ns + c0 + d) * load(out, ot, b * out_bs + row * out_ns + c0 + d);
        }
        delta[i] = sum;
    }
}

// dq = scale sum_j dS_ij k_j with dS = P (dP - delta), dP = dout v^T; one group per query row.
template <int SL, int TPK, int TILE>
__device__ void attention_backward_dq(const void* qkv, int qt, long long qkv_bs, long long qkv_ns,
                                      const void* dout, int dt, long long dout_bs, long long dout_ns,
                                      const float* lse, const float* delta,
                                      void* dqkv, int gt, long long dqkv_bs, long long dqkv_ns,
                                      int batch, int heads, int n, int hd, float scale) {
    constexpr int ROW = TPK * (SL + 4);
    __shared__ __align__(16) float ks[TILE][ROW];
    __shared__ __align__(16) float vs[TILE][ROW];
    const int group = threadIdx.x / TPK;
    const int part = threadIdx.x - group * TPK;
    const int c_lo = part * SL;        // first global channel of this lane
    const int s_lo = part * (SL + 4);  // its first shared-tile column
    const int row = blockIdx.x * TILE + group;
    const long long dim = (long long) heads * hd;
    const float q_scale = scale * DINOJ_LOG2E;
    for (long long bh = blockIdx.y; bh < (long long) batch * heads; bh += gridDim.y) {
        const long long b = bh / heads;
        const long long h = bh - b * heads;
        const long long qc = h * hd;
        float q[SL];
        float g[SL];
        float dq[SL];
#pragma unroll
        for (int t = 0; t < SL; ++t) {
            int d = c_lo + t;
            bool in = row < n && d < hd;
            q[t] = in ? load(qkv, qt, b * qkv_bs + (long long) row * qkv_ns + qc + d) * q_scale : 0.0f;
            g[t] = in ? load(dout, dt, b * dout_bs + (long long) row * dout_ns + qc + d) : 0.0f;
            dq[t] = 0.0f;
        }
        // Rows past n: lse +inf makes every probability 0.
        const float lse2 = row < n ? lse[bh * n + row] * DINOJ_LOG2E : DINOJ_POS_INF;
        const float dlt = row < n ? delta[bh * n + row] : 0.0f;
        for (int key0 = 0; key0 < n; key0 += TILE) {
            __syncthreads();
            load_tile<TILE, SL, TPK>(ks, qkv, qt, qkv_bs, qkv_ns, b, dim + qc, key0, n, hd);
            load_tile<TILE, SL, TPK>(vs, qkv, qt, qkv_bs, qkv_ns, b, 2 * dim + qc, key0, n, hd);
            __syncthreads();
            const int keys = min(TILE, n - key0);
            for (int j = 0; j < keys; ++j) {
                float s = 0.0f;
                float dp = 0.0f;
#pragma unroll
                for (int t = 0; t < SL; ++t) {
                    s += q[t] * ks[j][s_lo + t];
                    dp += g[t] * vs[j][s_lo + t];
                }
                s = group_sum<TPK>(s);
                dp = group_sum<TPK>(dp);
                const float ds = exp2f(s - lse2) * (dp - dlt);
#pragma unroll
                for (int t = 0; t < SL; ++t) {
                    dq[t] += ds * ks[j][s_lo + t];
                }
            }
        }
        if (row < n) {
#pragma unroll
            for (int t = 0; t < SL; ++t) {
                int d = c_lo + t;
                if (d < hd) {
                    store(dqkv, gt, b * dqkv_bs + (long long) row * dqkv_ns + qc + d, dq[t] * scale);
                }
            }
        }
    }
}

// dv = sum_i P_ij dout_i, dk = scale sum_i dS_ij q_i; one group per key row, queries streamed.
template <int SL, int TPK, int TILE>
__device__ void attention_backward_dkv(const void* qkv, int qt, long long qkv_bs, long long qkv_ns,
                                       const void* dout, int dt, long long dout_bs, long long dout_ns,
                                       const float* lse, const float* delta,
                                       void* dqkv, int gt, long long dqkv_bs, long long dqkv_ns,
                                       int batch, int heads, int n, int hd, float scale) {
    constexpr int ROW = TPK * (SL + 4);
    __shared__ __align__(16) float qs[TILE][ROW];
    __shared__ __align__(16) float gs[TILE][ROW];
    __shared__ float lse2s[TILE];
    __shared__ float deltas[TILE];
    const int group = threadIdx.x / TPK;
    const int part = threadIdx.x - group * TPK;
    const int c_lo = part * SL;        // first global channel of this lane
    const int s_lo = part * (SL + 4);  // its first shared-tile column
    const int key = blockIdx.x * TILE + group;
    const long long dim = (long long) heads * hd;
    const float q_scale = scale * DINOJ_LOG2E;
    for (long long bh = blockIdx.y; bh < (long long) batch * heads; bh += gridDim.y) {
        const long long b = bh / heads;
        const long long h = bh - b * heads;
        const long long qc = h * hd;
        float k[SL];
        float v[SL];
        float dk[SL];
        float dv[SL];
#pragma unroll
        for (int t = 0; t < SL; ++t) {
            int d = c_lo + t;
            bool in = key < n && d < hd;
            long long at = b * qkv_bs + (long long) key * qkv_ns + qc + d;
            k[t] = in ? load(qkv, qt, at + dim) * q_scale : 0.0f;
            v[t] = in ? load(qkv, qt, at + 2 * dim) : 0.0f;
            dk[t] = 0.0f;
            dv[t] = 0.0f;
        }
        for (int row0 = 0; row0 < n; row0 += TILE) {
            __syncthreads();
            load_tile<TILE, SL, TPK>(qs, qkv, qt, qkv_bs, qkv_ns, b, qc, row0, n, hd);
            load_tile<TILE, SL, TPK>(gs, dout, dt, dout_bs, dout_ns, b, qc, row0, n, hd);
            for (int r = threadIdx.x; r < TILE; r += blockDim.x) {
                int row = row0 + r;
                lse2s[r] = row < n ? lse[bh * n + row] * DINOJ_LOG2E : DINOJ_POS_INF;
                deltas[r] = row < n ? delta[bh * n + row] : 0.0f;
            }
            __syncthreads();
            const int rows = min(TILE, n - row0);
            for (int i = 0; i < rows; ++i) {
                float s = 0.0f;
                float dp = 0.0f;
#pragma unroll
                for (int t = 0; t < SL; ++t) {
                    s += k[t] * qs[i][s_lo + t];
                    dp += v[t] * gs[i][s_lo + t];
                }
                s = group_sum<TPK>(s);
                dp = group_sum<TPK>(dp);
                // Keys past n have k = 0 and are never stored; their p is harmless.
                const float p = exp2f(s - lse2s[i]);
                const float ds = p * (dp - deltas[i]);
#pragma unroll
                for (int t = 0; t < SL; ++t) {
                    dv[t] += p * gs[i][s_lo + t];
                    dk[t] += ds * qs[i][s_lo + t];
                }
            }
        }
        if (key < n) {
#pragma unroll
            for (int t = 0; t < SL; ++t) {
                int d = c_lo + t;
                if (d < hd) {
                    long long at = b * dqkv_bs + (long long) key * dqkv_ns + qc + d;
                    store(dqkv, gt, at + dim, dk[t] * scale);
                    store(dqkv, gt, at + 2 * dim, dv[t]);
                }
            }
        }
    }
}

// One extern "C" entry per head-dim class: hd <= 16 (16 x 1), 32 (32 x 1), 64 (32 x 2), 128 (32 x 4),
// channels per lane x lanes per row. Blocks are TILE * TPK threads.
#define DINOJ_ATTENTION_KERNELS(SUFFIX, SL, TPK, TILE)                                                      \
    extern "C" __global__ void __launch_bounds__(TILE * TPK) dinoj_attention_forward_##SUFFIX(              \
            const void* qkv, int qt, long long qkv_bs, long long qkv_ns,                                    \
            void* out, int ot, long long out_bs, long long out_ns, float* lse,                              \
            int batch, int heads, int n, int hd, float scale) {                                             \
        attention_forward<SL, TPK, TILE>(qkv, qt, qkv_bs, qkv_ns, out, ot, out_bs, out_ns, lse,             \
                                         batch, heads, n, hd, scale);                                       \
    }                                                                                                       \
    extern "C" __global__ void __launch_bounds__(TILE * TPK) dinoj_attention_backward_dq_##SUFFIX(          \
            const void* qkv, int qt, long long qkv_bs, long long qkv_ns,                                    \
            const void* dout, int dt, long long dout_bs, long long dout_ns,                                 \
            const float* lse, const float* delta,                                                           \
            void* dqkv, int gt, long long dqkv_bs, long long dqkv_ns,                                       \
            int batch, int heads, int n, int hd, float scale) {                                             \
        attention_backward_dq<SL, TPK, TILE>(qkv, qt, qkv_bs, qkv_ns, dout, dt, dout_bs, dout_ns, lse,      \
                                             delta, dqkv, gt, dqkv_bs, dqkv_ns, batch, heads, n, hd, scale); \
    }                                                                                                       \
    extern "C" __global__ void __launch_bounds__(TILE * TPK) dinoj_attention_backward_dkv_##SUFFIX(         \
            const void* qkv, int qt, long long qkv_bs, long long qkv_ns,                                    \
            const void* dout, int dt, long long dout_bs, long long dout_ns,                                 \
            const float* lse, const float* delta,                                                           \
            void* dqkv, int gt, long long dqkv_bs, long long dqkv_ns,                                       \
            int batch, int heads, int n, int hd, float scale) {                                             \
        attention_backward_dkv<SL, TPK, TILE>(qkv, qt, qkv_bs, qkv_ns, dout, dt, dout_bs, dout_ns, lse,     \
                                              delta, dqkv, gt, dqkv_bs, dqkv_ns, batch, heads, n, hd,        \
                                              scale);                                                       \
    }

DINOJ_ATTENTION_KERNELS(hd16, 16, 1, 64)
DINOJ_ATTENTION_KERNELS(hd32, 32, 1, 64)
DINOJ_ATTENTION_KERNELS(hd64, 32, 2, 64)
DINOJ_ATTENTION_KERNELS(hd128, 32, 4, 32)
