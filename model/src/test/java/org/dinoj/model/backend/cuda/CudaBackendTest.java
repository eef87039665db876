package org.dinoj.model.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.Reduction;
import org.dinoj.model.backend.reference.ReferenceBackend;
import org.dinoj.model.tensor.Device;
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

/**
 * What the shared conformance suite (CudaBackendConformanceTest) does not cover: a matmul whose
 * output is a column-major (transposed) view with a bias, where cuBLASLt's bias epilogue cannot be
 * used, the caching allocator's steady state, and the large-size paths the conformance sizes do
 * not reach (split softmax and reductions, attention batched over samples). Skips where no CUDA device can be used.
 */
@Tag("gpu")
class CudaBackendTest {
    private static CudaBackend f32;
    private final RandomTensors random = new RandomTensors(42);
    private HostArena host;
    private CudaArena device;

    @BeforeAll
    static void openBackend() {
        CudaTestDevice.assumeAvailable();
        f32 = new CudaBackend(Precision.F32);
    }

    @AfterAll
    static void closeBackend() {
        if (f32 != null) {
            f32.close();
        }
    }

    @BeforeEach
    void arenas() {
        host = new HostArena();
        device = f32.newArena();
    }

    @AfterEach
    void closeArenas() {
        f32.synchronize();
        device.close();
        host.close();
    }

    private Tensor toDevice(Tensor h) {
        Tensor d = device.allocate(h.dtype(), h.shape());
        f32.copy(h, d);
        return d;
    }

    @Test
    void matmulIntoATransposedOutputWithBias() {
        Tensor x = random.normal(host.f32(33, 64), 0, 1);
        Tensor w = random.normal(host.f32(64, 48), 0, 1);
        Tensor bias = random.normal(host.f32(48), 0, 1);
        Tensor expected = host.f32(33, 48);
        new ReferenceBackend(Precision.F32).matmul(x, w, bias, expected, 1f, 0f);
        Tensor cT = device.f32(48, 33);
        f32.matmul(toDevice(x), toDevice(w), toDevice(bias), cT.transpose(0, 1), 1f, 0f);
        Tensor actual = host.f32(33, 48);
        f32.copy(cT.transpose(0, 1), actual);
        // f32 dot products of 64 terms of magnitude ~1: rounding ~ sqrt(64) 2^-24 |sum|abs||, far below 1e-4.
        TensorAssertions.assertClose("matmul into a transposed output with bias", actual, expected,
                new Tolerance(1e-4, 1e-5));
    }

    @Test
    void softmaxOfFewHugeRowsSplitsEachRowAcrossBlocks() {
        // 3 rows of 100003 > SPLIT_ROW_MIN, fewer rows than SMs: the two-pass split kernels.
        ReferenceBackend reference = new ReferenceBackend(Precision.F32);
        Tensor x = random.normal(host.f32(3, 100_003), 0, 3);
        for (boolean log : new boolean[] {false, true}) {
            Tensor expected = host.f32(3, 100_003);
            reference.softmaxForward(x, expected, log);
            Tensor y = toDevice(x);
            f32.softmaxForward(y, y, log);
            Tensor actual = host.f32(3, 100_003);
            f32.copy(y, actual);
            // f32 exp and a sum of 1e5 positive terms in a different order: relative error ~1e-6;
            // probabilities ~1e-5 need an absolute bound well under them, log-probabilities ~12 a relative one.
            TensorAssertions.assertClose("split softmax (log " + log + ")", actual, expected,
                    new Tolerance(log ? 1e-4 : 1e-9, 1e-4));
        }
    }

    @Test
    void reductionsToFewOutputsAndColumnReductionsMatchTheReference() {
        ReferenceBackend reference = new ReferenceBackend(Precision.F32);
        Tensor x = random.normal(host.f32(300, 517), 0, 1);
        Tensor dx = toDevice(x);
        for (Reduction op : Reduction.values()) {
            // a whole tensor (split path), each column (column path), each row (one block per
            // output), and the transposed view's rows (column path again: its kept stride is 1)
            check(reference, op, x, dx, 1, 1);
            check(reference, op, x, dx, 1, 517);
            check(reference, op, x, dx, 300, 1);
            Tensor expected = host.f32(517, 1);
            reference.reduce(op, x.transpose(0, 1), expected);
            Tensor out = device.f32(517, 1);
            f32.reduce(op, dx.transpose(0, 1), out);
            Tensor actual = host.f32(517, 1);
            f32.copy(out, actual);
            TensorAssertions.assertClose(op + " of the transposed view's rows", actual, expected,
                    new Tolerance(1e-4, 1e-4));
        }
    }

    /** A view of base's memory from element offset with the given shape and strides (host or device). */
    private static Tensor strided(Tensor base, long offset, long[] shape, long[] strides) {
        long bytes = new Tensor(MemorySegment.NULL, base.dtype(), Device.CUDA, shape, strides).spanElements() * 4;
        MemorySegment data = base.device() == Device.CPU ? base.data().asSlice(offset * 4, bytes)
                : MemorySegment.ofAddress(base.data().address() + offset * 4);
        return new Tensor(data, base.dtype(), base.device(), shape, strides);
    }

    /** x [300, 517] reduced to out [rows, cols] on both backends. */
    private void check(ReferenceBackend reference, Reduction op, Tensor x, Tensor dx,
                       long rows, long cols) {
        Tensor expected = host.f32(rows, cols);
        reference.reduce(op, x, expected);
        Tensor out = device.f32(rows, cols);
        f32.reduce(op, dx, out);
        Tensor actual = host.f32(rows, cols);
        f32.copy(out, actual);
        // sums of up to 155100 terms of magnitude ~1 (squares ~1) in another order: f32 rounding
        // ~ sqrt(n) 2^-24 of the sum of magnitudes (~2e-5 relative, ~0.02 absolute at worst).
        TensorAssertions.assertClose(op + " to [" + rows + ", " + cols + "]", actual, expected,
                new Tolerance(0.05, 1e-4));
    }

    @Test
    void attentionProductsWithMoreSamplesThanHeadsBatchOverTheSamples() {
        // q, k, v as [B, H, N, hd] views into a [B, N, 3D] buffer (B = 9 > H = 2): cuBLASLt batches
        // over B and loops over H. Scores and the context, against the reference.
        ReferenceBackend reference = new ReferenceBackend(Precision.F32);
        long b = 9;
        long heads = 2;
        long n = 5;
        long hd = 4;
        long dim = heads * hd;
        Tensor qkv = random.normal(host.f32(b, n, 3 * dim), 0, 1);
        Tensor dqkv = toDevice(qkv);
        long[] shape = {b, heads, n, hd};
        long[] strides = {n * 3 * dim, hd, 3 * dim, 1};
        Tensor expected = host.f32(b, heads, n, n);
        reference.matmul(strided(qkv, 0, shape, strides),
                strided(qkv, dim, shape, strides).transpose(2, 3), expected);
        Tensor scores = device.f32(b, heads, n, n);
        f32.matmul(strided(dqkv, 0, shape, strides),
                strided(dqkv, dim, shape, strides).transpose(2, 3), scores);
        Tensor actual = host.f32(b, heads, n, n);
        f32.copy(scores, actual);
        // f32 dot products of 4 terms: rounding far below 1e-5.
        TensorAssertions.assertClose("attention scores", actual, expected, new Tolerance(1e-5, 1e-5));
        Tensor expectedContext = host.f32(b, n, dim);
        reference.matmul(expected, strided(qkv, 2 * dim, shape, strides),
                strided(expectedContext, 0, shape, new long[] {n * dim, hd, dim, 1}));
        Tensor context = device.f32(b, n, dim);
        f32.matmul(scores, strided(dqkv, 2 * dim, shape, strides),
                strided(context, 0, shape, new long[] {n * dim, hd, dim, 1}));
        Tensor actualContext = host.f32(b, n, dim);
        f32.copy(context, actualContext);
        // 5-term dot products of ~2-magnitude values: rounding far below 1e-4.
        TensorAssertions.assertClose("attention context", actualContext, expectedContext, new Tolerance(1e-4, 1e-5));
    }

    @Test
    void steadyStateLoopTakesNoNewDeviceMemory() {
        Tensor hx = random.normal(host.f32(8, 64, 96), 0, 1);
        Tensor hw = random.normal(host.f32(96, 96), 0, 1);
        long before = 0;
        for (int step = 0; step < 3; step++) {
            try (CudaArena stepArena = f32.newArena()) {
                Tensor x = stepArena.f32(8, 64, 96);
                f32.copy(hx, x);
                Tensor w = stepArena.f32(96, 96);
                f32.copy(hw, w);
                Tensor y = stepArena.f32(8, 64, 96);
                f32.matmul(x, w, y);
                f32.softmaxForward(y, y, false);
                f32.synchronize();
            }
            if (step == 0) {
                before = f32.allocator().rawAllocations();
            }
        }
        assertThat(f32.allocator().rawAllocations()).isEqualTo(before);
    }
}
