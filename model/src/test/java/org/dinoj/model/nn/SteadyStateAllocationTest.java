package org.dinoj.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** After the first step has planned every shape, a training step allocates no native memory. */
class SteadyStateAllocationTest {
    @Test
    void multiCropStepAllocatesNothingAfterTheFirst() {
        try (Backend backend = NnTesting.backend(); HostArena arena = new HostArena()) {
            LayerContext context = new LayerContext(backend, arena, DType.F32);
            ViTConfig config = ViTConfig.custom("steady", 8, 2, 16, 2, 2).withRegisterTokens(1).withDropPathRate(0.3);
            VisionTransformer student = new VisionTransformer(context, config, 1);
            VisionTransformer teacher = new VisionTransformer(context, config.withDropPathRate(0), 1);
            DinoHead head = new DinoHead(context, new DinoHeadConfig(16, 12, 3, 20, 8, 1e-12f), 2);
            Tensor global = arena.allocate(DType.F32, 4, 3, 8, 8);
            Tensor local = arena.allocate(DType.F32, 6, 3, 4, 4);
            NnTesting.fillRandom(global, 3, 1);
            NnTesting.fillRandom(local, 4, 1);
            Tensor masks = arena.allocate(DType.F32, 4, 16);
            for (int i = 0; i < 16; i += 3) {
                masks.setFlat(i, 1);
            }
            Tensor dPatches = arena.allocate(DType.F32, 4, 16, 16);
            NnTesting.fillRandom(dPatches, 5, 1);
            Tensor dLogits = arena.allocate(DType.F32, 4, 12);
            NnTesting.fillRandom(dLogits, 6, 1);
            SplittableRandom rng = new SplittableRandom(7);

            step(student, teacher, head, global, local, masks, dPatches, dLogits, rng);
            long planned = HostArena.allocationCount();
            step(student, teacher, head, global, local, masks, dPatches, dLogits, rng);
            step(student, teacher, head, global, local, masks, dPatches, dLogits, rng);
            assertThat(HostArena.allocationCount()).isEqualTo(planned);
        }
    }

    private static void step(VisionTransformer student, VisionTransformer teacher, DinoHead head, Tensor global,
                             Tensor local, Tensor masks, Tensor dPatches, Tensor dLogits, SplittableRandom rng) {
        teacher.forwardInference(global, null);
        student.zeroGrad();
        head.zeroGrad();
        ViTOutput g = student.forward(global, masks, rng);
        ViTOutput l = student.forward(local, null, rng);
        DinoHead.Output logits = head.forward(g.clsToken());
        Tensor dCls = head.backward(logits, dLogits);
        student.backward(l, null, null, l.patchTokens());
        student.backward(g, dCls, null, dPatches);
    }
}
