package org.dinoj.model.ssl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.dinoj.model.nn.Parameter;
import org.dinoj.model.ssl.ParameterGroups.GroupedParameter;
import org.dinoj.model.tensor.HostArena;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParameterGroupsTest {
    /** Multipliers are products of a few powers of 0.9 and 0.2. */
    private static final double TOL = 1e-15;

    private final HostArena arena = new HostArena();

    @AfterEach
    void close() {
        arena.close();
    }

    private Parameter param(String name) {
        return new Parameter(name, arena.f32(1), arena.f32(1));
    }

    private Map<String, GroupedParameter> byName(List<GroupedParameter> groups) {
        return groups.stream().collect(Collectors.toMap(g -> g.parameter().name(), Function.identity()));
    }

    @Test
    void backboneNamesGetDinov2MultipliersForTwelveBlocks() {
        List<String> names = List.of("cls_token", "pos_embed", "mask_token", "register_tokens",
                "patch_embed.proj.weight", "patch_embed.proj.bias", "blocks.0.norm1.weight", "blocks.0.attn.qkv.weight",
                "blocks.0.attn.qkv.bias", "blocks.0.ls1.gamma", "blocks.11.mlp.fc2.weight", "blocks.5.norm2.bias",
                "norm.weight", "norm.bias");
        Map<String, GroupedParameter> g = byName(ParameterGroups.backbone("backbone",
                names.stream().map(this::param).toList(), 12, false, 0.9, 0.2));
        // embeddings: layer 0 -> 0.9^13; patch_embed additionally x 0.2
        assertThat(g.get("cls_token").lrMultiplier()).isCloseTo(Math.pow(0.9, 13), within(TOL));
        assertThat(g.get("pos_embed").lrMultiplier()).isCloseTo(Math.pow(0.9, 13), within(TOL));
        assertThat(g.get("mask_token").lrMultiplier()).isCloseTo(Math.pow(0.9, 13), within(TOL));
        assertThat(g.get("register_tokens").lrMultiplier()).isCloseTo(Math.pow(0.9, 13), within(TOL));
        assertThat(g.get("patch_embed.proj.weight").lrMultiplier()).isCloseTo(0.2 * Math.pow(0.9, 13), within(TOL));
        // block i: layer i+1 -> 0.9^(12 - i)
        assertThat(g.get("blocks.0.attn.qkv.weight").lrMultiplier()).isCloseTo(Math.pow(0.9, 12), within(TOL));
        assertThat(g.get("blocks.5.norm2.bias").lrMultiplier()).isCloseTo(Math.pow(0.9, 7), within(TOL));
        assertThat(g.get("blocks.11.mlp.fc2.weight").lrMultiplier()).isCloseTo(0.9, within(TOL));
        // final norm: layer L+1 -> 1
        assertThat(g.get("norm.weight").lrMultiplier()).isEqualTo(1.0);

        // no weight decay on biases, norms and LayerScale gammas; tokens and pos_embed decay
        assertThat(g.get("cls_token").wdMultiplier()).isEqualTo(1.0);
        assertThat(g.get("pos_embed").wdMultiplier()).isEqualTo(1.0);
        assertThat(g.get("mask_token").wdMultiplier()).isEqualTo(1.0);
        assertThat(g.get("patch_embed.proj.weight").wdMultiplier()).isEqualTo(1.0);
        assertThat(g.get("patch_embed.proj.bias").wdMultiplier()).isEqualTo(0.0);
        assertThat(g.get("blocks.0.norm1.weight").wdMultiplier()).isEqualTo(0.0);
        assertThat(g.get("blocks.0.attn.qkv.weight").wdMultiplier()).isEqualTo(1.0);
        assertThat(g.get("blocks.0.attn.qkv.bias").wdMultiplier()).isEqualTo(0.0);
        assertThat(g.get("blocks.0.ls1.gamma").wdMultiplier()).isEqualTo(0.0);
        assertThat(g.get("norm.weight").wdMultiplier()).isEqualTo(0.0);
        assertThat(g.values()).noneMatch(GroupedParameter::lastLayer);
    }

    @Test
    void prefixedAndChunkedBackboneNamesResolveTheSameBlock() {
        // "backbone.blocks.3.*" takes the ".blocks." branch; chunked FSDP names carry blocks.<chunk>.<i>
        assertThat(ParameterGroups.lrDecayRate("backbone.blocks.3.attn.proj.weight", 0.9, 12, true, false))
                .isCloseTo(Math.pow(0.9, 9), within(TOL));
        assertThat(ParameterGroups.lrDecayRate("backbone.patch_embed.proj.weight", 0.9, 12, true, false))
                .isCloseTo(Math.pow(0.9, 13), within(TOL));
        assertThat(ParameterGroups.lrDecayRate("blocks.1.3.attn.proj.weight", 0.9, 12, true, true))
                .isCloseTo(Math.pow(0.9, 9), within(TOL));
    }

    @Test
    void headParametersAllHaveLrMultiplierOneAndTheLastLayerIsMarked() {
        List<String> names = List.of("mlp.0.weight", "mlp.0.bias", "mlp.4.weight", "last_layer.weight_g",
                "last_layer.weight_v");
        Map<String, GroupedParameter> g = byName(ParameterGroups.head("dino_head",
                names.stream().map(this::param).toList(), 0.9, 0.2));
        assertThat(g.values()).allSatisfy(p -> assertThat(p.lrMultiplier()).isEqualTo(1.0));
        assertThat(g.get("mlp.0.weight").wdMultiplier()).isEqualTo(1.0);
        assertThat(g.get("mlp.0.bias").wdMultiplier()).isEqualTo(0.0);
        assertThat(g.get("last_layer.weight_g").wdMultiplier()).isEqualTo(1.0);
        assertThat(g.get("last_layer.weight_g").lastLayer()).isTrue();
        assertThat(g.get("last_layer.weight_v").lastLayer()).isTrue();
        assertThat(g.get("mlp.0.weight").lastLayer()).isFalse();
        assertThat(g.get("mlp.0.weight").subModule()).isEqualTo("dino_head");
    }
}
