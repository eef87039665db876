package org.dinoj.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The prefixes training code wraps a model's keys in come off; a bare state dict stays as it is. */
class StateDictWrappingTest {
    private static StateDictWrapping of(String... names) {
        return StateDictWrapping.of(new LinkedHashSet<>(List.of(names)));
    }

    @Test
    void aBareStateDictKeepsItsKeys() {
        StateDictWrapping w = of("pos_embed", "blocks.0.attn.qkv.weight", "dino_head.last_layer.weight_g");
        assertThat(w.prefix()).isEmpty();
        assertThat(w.keys()).containsExactly(java.util.Map.entry("pos_embed", "pos_embed"),
                java.util.Map.entry("blocks.0.attn.qkv.weight", "blocks.0.attn.qkv.weight"),
                java.util.Map.entry("dino_head.last_layer.weight_g", "dino_head.last_layer.weight_g"));
    }

    @Test
    void aDdpWrappedBackboneLosesBothPrefixesAndItsHeadsKeepTheirs() {
        StateDictWrapping w = of("module.backbone.pos_embed", "module.backbone.norm.weight", "module.dino_head.mlp.0.weight");
        assertThat(w.prefix()).isEqualTo("module.backbone.");
        assertThat(w.keys()).containsEntry("pos_embed", "module.backbone.pos_embed")
                .containsEntry("norm.weight", "module.backbone.norm.weight")
                .containsEntry("dino_head.mlp.0.weight", "module.dino_head.mlp.0.weight").hasSize(3);
    }

    @Test
    void aTrainingCheckpointGivesItsTeacherAndLeavesTheStudentAndTheRestOut() {
        StateDictWrapping w = of("student.backbone.pos_embed", "teacher.backbone.pos_embed",
                "teacher.dino_head.last_layer.weight_g", "dino_loss.center");
        assertThat(w.prefix()).isEqualTo("teacher.backbone.");
        assertThat(w.keys()).containsExactly(java.util.Map.entry("pos_embed", "teacher.backbone.pos_embed"),
                java.util.Map.entry("dino_head.last_layer.weight_g", "teacher.dino_head.last_layer.weight_g"));
    }

    @Test
    void onlyAStudentIsReadWhenThatIsAllThereIs() {
        assertThat(of("student.backbone.pos_embed").keys()).containsExactly(
                java.util.Map.entry("pos_embed", "student.backbone.pos_embed"));
    }

    @Test
    void aPrefixOnSomeKeysOnlyIsNotDdps() {
        // "module." on every key is DDP's; on one key it is a name, e.g. a layer called module.
        assertThat(of("module.x", "pos_embed").prefix()).isEmpty();
    }
}
