package org.dinoj.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dinoj.model.nn.Parameter;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The timm/dinov2 key mapping and the strict loader; the numeric check against timm is in tests/ (crosscheck). */
class TimmDinov2KeysTest {
    private static Tensor filled(HostArena arena, double start, long... shape) {
        Tensor t = arena.allocate(DType.F32, shape);
        for (long i = 0; i < t.numel(); i++) {
            t.setFlat(i, start + i);
        }
        return t;
    }

    @Test
    void registerModelsGainAZeroClsPositionFromTimmAndFoldItIntoClsToTimm() {
        try (HostArena arena = new HostArena()) {
            Map<String, Tensor> timm = new LinkedHashMap<>();
            timm.put("cls_token", filled(arena, 100, 1, 1, 2));
            timm.put("reg_token", filled(arena, 200, 1, 3, 2));
            timm.put("pos_embed", filled(arena, 1, 1, 4, 2)); // 2x2 grid, no CLS slot
            Map<String, Tensor> dinov2 = TimmDinov2Keys.fromTimm(timm, arena);
            assertThat(dinov2).containsOnlyKeys("cls_token", "register_tokens", "pos_embed");
            assertThat(dinov2.get("pos_embed").shape()).containsExactly(1, 5, 2);
            assertThat(dinov2.get("pos_embed").toFloatArray()).containsExactly(0, 0, 1, 2, 3, 4, 5, 6, 7, 8);
            assertThat(dinov2.get("register_tokens")).isSameAs(timm.get("reg_token"));

            // Back to timm with a non-zero CLS position: it moves into cls_token.
            dinov2.get("pos_embed").setFlat(0, 0.5);
            dinov2.get("pos_embed").setFlat(1, -1);
            dinov2.put(TimmDinov2Keys.MASK_TOKEN, filled(arena, 0, 1, 2));
            Map<String, Tensor> back = TimmDinov2Keys.toTimm(dinov2, 3, arena);
            assertThat(back).containsOnlyKeys("cls_token", "reg_token", "pos_embed");
            assertThat(back.get("cls_token").toFloatArray()).containsExactly(100.5f, 100f);
            assertThat(back.get("pos_embed").toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        }
    }

    @Test
    void modelsWithoutRegistersKeepTheirClsSlot() {
        try (HostArena arena = new HostArena()) {
            Tensor pos = filled(arena, 1, 1, 5, 2); // 1 + 2x2
            Map<String, Tensor> dinov2 = TimmDinov2Keys.fromTimm(Map.of("pos_embed", pos), arena);
            assertThat(dinov2.get("pos_embed")).isSameAs(pos);
        }
    }

    @Test
    void loaderCopiesByNameAndNamesEveryMismatch() {
        try (HostArena arena = new HostArena()) {
            Parameter a = new Parameter("a", arena.f32(2), arena.f32(2));
            Parameter mask = new Parameter("mask_token", arena.f32(1, 2), arena.f32(1, 2));
            Tensor source = arena.allocate(DType.F64, 2).copyFrom(new double[] {1.5, -2});
            List<String> untouched = StateDictLoader.load(List.of(a, mask), Map.of("a", source), Set.of("mask_token"));
            assertThat(untouched).containsExactly("mask_token");
            assertThat(a.value().toFloatArray()).containsExactly(1.5f, -2f);

            assertThatThrownBy(() -> StateDictLoader.load(List.of(a, mask), Map.of("a", source, "extra", source),
                    Set.of())).hasMessageContaining("missing [mask_token]").hasMessageContaining("unexpected [extra]");
            assertThatThrownBy(() -> StateDictLoader.load(List.of(a), Map.of("a", arena.f32(3)), Set.of()))
                    .hasMessageContaining("a [3] vs the model's [2]");
        }
    }
}
