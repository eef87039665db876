package org.dinoj.model.ssl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.nn.Parameter;
import org.dinoj.model.ssl.ParameterGroups.GroupedParameter;
import org.dinoj.model.tensor.HostArena;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AdamWTest {
    /** f32 parameters and float AdamW scalars: ~1e-7 relative per operation. */
    private static final double TOL = 1e-6;

    private final Backend backend = SslTestSupport.referenceBackend();
    private final HostArena arena = new HostArena();

    @AfterEach
    void close() {
        arena.close();
        backend.close();
    }

    private Parameter param(String name, float value, float grad) {
        return new Parameter(name, arena.f32(1).copyFrom(new float[] {value}), arena.f32(1).copyFrom(new float[] {grad}));
    }

    /** torch.optim.AdamW, first step, by hand: m = (1-b1) g, v = (1-b2) g^2, so m^ = g and v^ = g^2. */
    private static double firstStep(double p, double g, double lr, double wd) {
        double decayed = p * (1 - lr * wd);
        double mHat = (1 - 0.9) * g / (1 - 0.9);
        double vHat = (1 - 0.999) * g * g / (1 - 0.999);
        return decayed - lr * mHat / (Math.sqrt(vHat) + 1e-8);
    }

    @Test
    void oneStepAppliesGroupMultipliersAndTheFrozenLastLayer() {
        Parameter pos = param("pos_embed", 1.0f, 0.5f);
        Parameter qkv = param("blocks.1.attn.qkv.weight", -2.0f, -0.25f);
        Parameter bias = param("blocks.1.attn.qkv.bias", 0.5f, 2.0f);
        Parameter patch = param("patch_embed.proj.weight", 3.0f, 1.0f);
        Parameter headW = param("mlp.0.weight", 1.5f, 0.1f);
        Parameter lastG = param("last_layer.weight_g", 1.0f, 4.0f);
        List<GroupedParameter> groups = new ArrayList<>(ParameterGroups.backbone("backbone",
                List.of(pos, qkv, bias, patch), 2, false, 0.5, 0.2));
        groups.addAll(ParameterGroups.head("dino_head", List.of(headW, lastG), 0.5, 0.2));
        AdamW adamw = new AdamW(backend, arena, groups, OptimConfig.defaults());
        double lr = 0.01;
        double wd = 0.04;
        adamw.step(lr, wd, 0.0);
        // L = 2 blocks, decay 0.5: embeddings 0.5^3, block 1 -> 0.5^1, heads 1; patch_embed x 0.2
        assertThat(pos.value().get(0)).isCloseTo(firstStep(1.0, 0.5, lr * 0.125, wd), within(TOL));
        assertThat(qkv.value().get(0)).isCloseTo(firstStep(-2.0, -0.25, lr * 0.5, wd), within(TOL));
        assertThat(bias.value().get(0)).isCloseTo(firstStep(0.5, 2.0, lr * 0.5, 0), within(TOL));
        assertThat(patch.value().get(0)).isCloseTo(firstStep(3.0, 1.0, lr * 0.125 * 0.2, wd), within(TOL));
        assertThat(headW.value().get(0)).isCloseTo(firstStep(1.5, 0.1, lr, wd), within(TOL));
        // last layer frozen: lr 0, so neither the step nor the decoupled decay moves it...
        assertThat(lastG.value().get(0)).isEqualTo(1.0);
        // ...but its moments still accumulate, as in dinov2
        int lastIndex = adamw.parameters().indexOf(groups.get(5));
        assertThat(adamw.firstMoment(lastIndex).get(0)).isCloseTo(0.1 * 4.0, within(TOL));
        assertThat(adamw.secondMoment(lastIndex).get(0)).isCloseTo(0.001 * 16.0, within(TOL));
        assertThat(adamw.stepCount()).isEqualTo(1);
    }

    @Test
    void secondStepUsesBiasCorrectionOfStepTwo() {
        Parameter w = param("mlp.0.weight", 1.0f, 0.5f);
        AdamW adamw = new AdamW(backend, arena, ParameterGroups.head("dino_head", List.of(w), 0.9, 0.2),
                OptimConfig.defaults());
        adamw.step(0.1, 0.0, 0.1);
        double p1 = firstStep(1.0, 0.5, 0.1, 0.0);
        w.grad().set(-1.0, 0);
        adamw.step(0.1, 0.0, 0.1);
        double m = 0.9 * (0.1 * 0.5) + 0.1 * -1.0;
        double v = 0.999 * (0.001 * 0.25) + 0.001 * 1.0;
        double expected = p1 - 0.1 * (m / (1 - 0.81)) / (Math.sqrt(v / (1 - 0.999 * 0.999)) + 1e-8);
        assertThat(w.value().get(0)).isCloseTo(expected, within(TOL));
    }
}
