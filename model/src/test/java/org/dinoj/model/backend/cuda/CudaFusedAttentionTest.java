package org.dinoj.model.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.testing.RandomTensors;
import org.dinoj.model.testing.TensorAssertions;
import org.dinoj.model.testing.Tolerance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The flash-attention kernels at the ViT-S/14 crop shapes (N = 257 global, 50 local; 6 heads of
 * 64, several query and key tiles, many samples), too large for the plain-Java reference: fused
 * forward and backward against the composed path on the same device (cuBLASLt matmuls in f32 and
 * the softmax kernels, each checked against the reference by the conformance suite), and the
 * page-locked upload staging. Skips where no CUDA device can be used.
 */
@Tag("gpu")
class CudaFusedAttentionTest {
    /**
     * Both paths compute in f32 from the same inputs, in different orders (tiles of 64 keys with
     * online rescaling vs one cuBLASLt dot product and a row softmax); each result element is a sum
     * of up to N = 257 products of O(1) values, so both sit within ~sqrt(N) 2^-24 |terms| of the exact
     * value. 1e-4 of the tensor's largest magnitude is ~50x that, while a wrong tile bound, mask
     * or rescale is off by 1e-2 or more of it.
     */
    private static final double RELATIVE_TO_MAX = 1e-4;

    private static CudaBackend cuda;
    private final RandomTensors random = new RandomTensors(5);
    private HostArena host;
    private CudaArena device;

    @BeforeAll
    static void openBackend() {
        CudaTestDevice.assumeAvailable();
        cuda = new CudaBackend(Precision.F32);
    }

    @AfterAll
    static void closeBackend() {
        if (cuda != null) {
            cuda.close();
        }
    }

    @BeforeEach
    void arenas() {
        host = new HostArena();
        device = cuda.newArena();
    }

    @AfterEach
    void closeArenas() {
        cuda.synchronize();
        device.close();
        host.close();
    }

    /** Part s (0 q, 1 k, 2 v) of qkv [B, N, 3D] as [B, H, N, hd]. */
    private static Tensor part(Tensor qkv, int s, int heads, int hd) {
        long n = qkv.size(1);
        long dim = (long) heads * hd;
        // Tensor.slice, not MemorySegment.asSlice: a device tensor's segment is a bare address.
        Tensor slice = qkv.slice(2, s * dim, dim);
        return new Tensor(slice.data(), DType.F32, qkv.device(),
                new long[] {qkv.size(0), heads, n, hd}, new long[] {qkv.stride(0), hd, qkv.stride(1), 1});
    }

    /** [B, N, D] as [B, H, N, hd]. */
    private static Tensor heads(Tensor t, int heads, int hd) {
        return new Tensor(t.data(), DType.F32, t.device(), new long[] {t.size(0), heads, t.size(1), hd},
                new long[] {t.stride(0), hd, t.stride(1), 1});
    }

    @ParameterizedTest(name = "B {0}, N {1}, H {2}, hd {3}")
    @CsvSource({"4, 257, 6, 64", "16, 50, 6, 64", "3, 197, 2, 128", "5, 70, 4, 32"})
    void fusedMatchesComposedOnTheDevice(int batch, int tokens, int heads, int hd) {
        long dim = (long) heads * hd;
        float scale = (float) (1 / Math.sqrt(hd));
        Tensor qkv = upload(random.normal(host.allocate(DType.F32, batch, tokens, 3 * dim), 0, 1));
        Tensor dOut = upload(random.normal(host.allocate(DType.F32, batch, tokens, dim), 0, 1));

        Tensor out = device.allocate(DType.F32, batch, tokens, dim);
        Tensor lse = device.allocate(DType.F32, batch, heads, tokens);
        Tensor dQkv = device.allocate(DType.F32, batch, tokens, 3 * dim);
        cuda.attentionForward(qkv, heads, scale, out, lse);
        cuda.attentionBackward(qkv, out, lse, dOut, heads, scale, dQkv);

        Tensor q = part(qkv, 0, heads, hd);
        Tensor k = part(qkv, 1, heads, hd);
        Tensor v = part(qkv, 2, heads, hd);
        Tensor p = device.allocate(DType.F32, batch, heads, tokens, tokens);
        Tensor expectedOut = device.allocate(DType.F32, batch, tokens, dim);
        cuda.matmul(q, k.transpose(2, 3), null, p, scale, 0f);
        cuda.softmaxForward(p, p, false);
        cuda.matmul(p, v, heads(expectedOut, heads, hd));
        Tensor dP = device.allocate(DType.F32, batch, heads, tokens, tokens);
        Tensor dS = device.allocate(DType.F32, batch, heads, tokens, tokens);
        Tensor expectedDQkv = device.allocate(DType.F32, batch, tokens, 3 * dim);
        Tensor dOutHeads = heads(dOut, heads, hd);
        cuda.matmul(dOutHeads, v.transpose(2, 3), dP);
        cuda.matmul(p.transpose(2, 3), dOutHeads, part(expectedDQkv, 2, heads, hd));
        cuda.softmaxBackward(p, dP, dS, false);
        cuda.matmul(dS, k, null, part(expectedDQkv, 0, heads, hd), scale, 0f);
        cuda.matmul(dS.transpose(2, 3), q, null, part(expectedDQkv, 1, heads, hd), scale, 0f);

        assertClose("out", out, expectedOut);
        assertClose("dQkv", dQkv, expectedDQkv);
        // lse_i = S_ij - log P_ij for any j; j = 0, from the composed scores and log-softmax.
        Tensor scores = device.allocate(DType.F32, batch, heads, tokens, tokens);
        Tensor logP = device.allocate(DType.F32, batch, heads, tokens, tokens);
        cuda.matmul(q, k.transpose(2, 3), null, scores, scale, 0f);
        cuda.softmaxForward(scores, logP, true);
        Tensor expectedLse = device.allocate(DType.F32, batch, heads, tokens, 1);
        cuda.binary(BinaryOp.SUB, scores.slice(3, 0, 1), logP.slice(3, 0, 1), expectedLse);
        assertClose("lse", lse.view(batch, heads, tokens, 1), expectedLse);
    }

    @Test
    void pinnedStagingUploadsAndDownloads() {
        try (PinnedHostArena pinned = cuda.newHostStagingArena()) {
            Tensor staged = pinned.allocate(DType.F32, 3, 224, 224);
            random.normal(staged, 0, 1);
            Tensor onDevice = device.allocate(DType.F32, 3, 224, 224);
            cuda.copy(staged, onDevice);
            Tensor back = toHost(onDevice);
            TensorAssertions.assertClose("pinned round trip", back, staged, Tolerance.EXACT);
        }
    }

    private Tensor upload(Tensor hostTensor) {
        Tensor t = device.allocate(hostTensor.dtype(), hostTensor.shape());
        cuda.copy(hostTensor, t);
        return t;
    }

    private Tensor toHost(Tensor onDevice) {
        Tensor t = host.allocate(DType.F32, onDevice.shape());
        cuda.copy(onDevice, t);
        return t;
    }

    private void assertClose(String what, Tensor actual, Tensor expected) {
        Tensor a = toHost(actual);
        Tensor e = toHost(expected);
        double max = 0;
        for (double value : e.toDoubleArray()) {
            max = Math.max(max, Math.abs(value));
        }
        assertThat(max).as(what + ": a comparison against an all-zero reference proves nothing").isPositive();
        TensorAssertions.assertClose("fused vs composed " + what, a, e, Tolerance.absolute(RELATIVE_TO_MAX * max));
    }
}
