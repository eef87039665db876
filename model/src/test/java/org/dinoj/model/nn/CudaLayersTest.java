package org.dinoj.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.cuda.CudaArena;
import org.dinoj.model.backend.cuda.CudaBackend;
import org.dinoj.model.backend.cuda.CudaTestDevice;
import org.dinoj.model.backend.reference.ReferenceBackend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.testing.RandomTensors;
import org.dinoj.model.testing.TensorAssertions;
import org.dinoj.model.testing.Tolerance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The network layers on device tensors: a ViT (patch unfold as a rank-6 permuted copy, stride-0
 * CLS/register broadcasts, pos-embed interpolation, masking, stochastic depth with per-sample
 * strided slices, attention on strided q/k/v views writing strided matmul outputs) and a DINO
 * head (L2 normalisation, weight norm) run forward and backward on the CUDA backend in f32 and on
 * the reference backend with the same parameters and inputs; outputs and every parameter gradient
 * are compared on host copies.
 *
 * <p>Tolerance: every op agrees with the reference within 1e-5 of its own magnitude (the
 * conformance suite); the reference accumulates in double, CUDA in f32, so these per-op errors
 * propagate through some 40 ops per block with gains of order 1 (LayerScale 0.5, unit-variance
 * activations). An error of 1e-4 of the compared tensor's largest magnitude leaves a margin of
 * 10x over that accumulation, while a wrong index, a missed stride or a dropped term changes
 * results at 1e-2 or more of that magnitude.
 */
@Tag("gpu")
class CudaLayersTest {
    private static final double RELATIVE_TO_MAX = 1e-4;

    private CudaBackend cuda;
    private ReferenceBackend reference;
    private HostArena host;
    private CudaArena device;

    @BeforeAll
    static void needDevice() {
        CudaTestDevice.assumeAvailable();
    }

    @BeforeEach
    void open() {
        cuda = new CudaBackend(Precision.F32);
        reference = new ReferenceBackend(Precision.F32);
        host = new HostArena();
        device = cuda.newArena();
    }

    @AfterEach
    void close() {
        cuda.synchronize();
        device.close();
        host.close();
        cuda.close();
    }

    @Test
    void visionTransformerForwardAndBackwardMatchTheReference() {
        // D 32, 2 blocks of 4 heads, patch 2, 3 channels, 2 registers, trained at 8 px but run at
        // 10 px (5x5 grid interpolated from 4x4), stochastic depth 0.5 on 4 images.
        ViTConfig config = ViTConfig.custom("gpu-test", 8, 2, 32, 2, 4).withInChannels(3).withRegisterTokens(2)
                .withLayerScaleInit(0.5f).withDropPathRate(0.5);
        LayerContext refContext = new LayerContext(reference, host, DType.F32);
        LayerContext cudaContext = new LayerContext(cuda, device, DType.F32);
        VisionTransformer refVit = new VisionTransformer(refContext, config, 7);
        VisionTransformer cudaVit = new VisionTransformer(cudaContext, config, 7);
        // cls, register and mask tokens start near 0: make their gradients and effects visible
        long seed = 100;
        for (Parameter p : refVit.parameters()) {
            if (p.name().endsWith("_token") || p.name().equals("register_tokens")) {
                new RandomTensors(seed++).normal(p.value(), 0, 0.5);
            }
        }
        copyParameters(refVit.parameters(), cudaVit.parameters());

        int batch = 4;
        int size = 10;
        int patches = 25;
        Tensor images = new RandomTensors(1).normal(host.f32(batch, 3, size, size), 0, 1);
        Tensor masks = host.f32(batch, patches);
        for (int i = 0; i < batch; i++) {
            for (int j = i; j < patches; j += 3) {
                masks.set(1, i, j);
            }
        }
        Tensor dCls = new RandomTensors(2).normal(host.f32(batch, 32), 0, 1);
        Tensor dRegisters = new RandomTensors(3).normal(host.f32(batch, 2, 32), 0, 1);
        Tensor dPatches = new RandomTensors(4).normal(host.f32(batch, patches, 32), 0, 1);

        refVit.zeroGrad();
        ViTOutput refOut = refVit.forward(images, masks, new SplittableRandom(9));
        refVit.backward(refOut, dCls, dRegisters, dPatches);

        cudaVit.zeroGrad();
        ViTOutput cudaOut = cudaVit.forward(upload(images), upload(masks), new SplittableRandom(9));
        assertClose("ViT tokens", cudaOut.tokens(), refOut.tokens());
        assertClose("ViT cls token", cudaOut.clsToken(), refOut.clsToken());
        cudaVit.backward(cudaOut, upload(dCls), upload(dRegisters), upload(dPatches));
        for (int i = 0; i < refVit.parameters().size(); i++) {
            Parameter r = refVit.parameters().get(i);
            assertClose("ViT grad " + r.name(), cudaVit.parameters().get(i).grad(), r.grad());
        }
    }

    @Test
    void dinoHeadForwardAndBackwardMatchTheReference() {
        DinoHeadConfig config = new DinoHeadConfig(32, 300, 3, 64, 16, 1e-12f);
        DinoHead refHead = new DinoHead(new LayerContext(reference, host, DType.F32), config, 5);
        DinoHead cudaHead = new DinoHead(new LayerContext(cuda, device, DType.F32), config, 5);
        // weight_g starts at 1: random g makes dg and the weight-norm backward visible
        new RandomTensors(6).normal(Parameters.named(refHead.parameters(), "last_layer.weight_g").value(), 1, 0.5);
        copyParameters(refHead.parameters(), cudaHead.parameters());
        Tensor x = new RandomTensors(7).normal(host.f32(9, 32), 0, 1);
        Tensor dLogits = new RandomTensors(8).normal(host.f32(9, 300), 0, 1);

        refHead.zeroGrad();
        DinoHead.Output refOut = refHead.forward(x);
        Tensor refDx = refHead.backward(refOut, dLogits);

        cudaHead.zeroGrad();
        DinoHead.Output cudaOut = cudaHead.forward(upload(x));
        assertClose("head logits", cudaOut.logits(), refOut.logits());
        assertClose("head normalised bottleneck", cudaOut.normalizedBottleneck(), refOut.normalizedBottleneck());
        Tensor cudaDx = cudaHead.backward(cudaOut, upload(dLogits));
        assertClose("head dx", cudaDx, refDx);
        for (int i = 0; i < refHead.parameters().size(); i++) {
            Parameter r = refHead.parameters().get(i);
            assertClose("head grad " + r.name(), cudaHead.parameters().get(i).grad(), r.grad());
        }
    }

    private void copyParameters(List<Parameter> from, List<Parameter> to) {
        assertThat(to).hasSameSizeAs(from);
        for (int i = 0; i < from.size(); i++) {
            assertThat(to.get(i).name()).isEqualTo(from.get(i).name());
            cuda.copy(from.get(i).value(), to.get(i).value());
        }
        cuda.synchronize();
    }

    private Tensor upload(Tensor hostTensor) {
        Tensor t = device.allocate(hostTensor.dtype(), hostTensor.shape());
        cuda.copy(hostTensor, t);
        return t;
    }

    /** Compares a device tensor with the reference's host tensor within 1e-4 of the latter's largest magnitude. */
    private void assertClose(String what, Tensor onDevice, Tensor expected) {
        Tensor actual = host.allocate(DType.F32, onDevice.shape());
        cuda.copy(onDevice, actual);
        double max = 0;
        for (double v : expected.toDoubleArray()) {
            max = Math.max(max, Math.abs(v));
        }
        assertThat(max).as(what + ": a comparison against an all-zero reference proves nothing").isPositive();
        TensorAssertions.assertClose("cuda " + what, actual, expected, Tolerance.absolute(RELATIVE_TO_MAX * max));
    }
}
