package org.dinoj.model.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.reference.ReferenceBackend;
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
 * used, and the caching allocator's steady state. Skips where no CUDA device can be used.
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
