package org.dinoj.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    enum Centering { CENTERING, SINKHORN_KNOPP }

    record Optim(double baseLr, int epochs, Centering centering) {
    }

    record Crops(int globalCropsSize, List<Double> globalCropsScale) {
    }

    record Sample(Optim optim, Crops crops) {
        static Sample defaults() {
            return new Sample(new Optim(0.004, 100, Centering.SINKHORN_KNOPP), new Crops(224, List.of(0.32, 1.0)));
        }
    }

    @TempDir
    Path dir;

    private Path yaml(String text) throws IOException {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void fileValuesOverlayDefaultsKeyByKeyAndOverridesComeLast() throws IOException {
        Path f = yaml("optim:\n  epochs: 5\ncrops:\n  global_crops_size: 28\n");
        Sample s = ConfigLoader.load(f.toString(), List.of("optim.base_lr=1e-3", "crops.global_crops_scale=[0.5, 1]"),
                Sample.defaults());
        assertThat(s.optim()).isEqualTo(new Optim(1e-3, 5, Centering.SINKHORN_KNOPP));
        assertThat(s.crops()).isEqualTo(new Crops(28, List.of(0.5, 1.0)));
    }

    @Test
    void resolveKeepsEverySectionAsTextWithOverridesApplied() throws IOException {
        Path f = yaml("optim:\n  epochs: 5\nanything:\n  nested: {a: 1}\n");
        String text = ConfigLoader.resolve(f.toString(), List.of("optim.epochs=7", "job.shards=2"));
        var tree = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readTree(text);
        assertThat(tree.at("/optim/epochs").asInt()).isEqualTo(7);
        assertThat(tree.at("/anything/nested/a").asInt()).isEqualTo(1);
        assertThat(tree.at("/job/shards").asInt()).isEqualTo(2);
    }

    @Test
    void unknownKeysAreNamedWithTheirSection() throws IOException {
        Path f = yaml("optim:\n  base_lrr: 1\n");
        assertThatThrownBy(() -> ConfigLoader.load(f.toString(), List.of(), Sample.defaults()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown config key 'optim.base_lrr'")
                .hasMessageContaining("base_lr");
        Path empty = yaml("");
        assertThatThrownBy(() -> ConfigLoader.load(empty.toString(), List.of("optimm.epochs=3"), Sample.defaults()))
                .hasMessageContaining("'optimm'");
    }

    @Test
    void wrongTypesNameTheKeyAndTheExpectedType() throws IOException {
        Path f = yaml("optim:\n  epochs: many\n");
        assertThatThrownBy(() -> ConfigLoader.load(f.toString(), List.of(), Sample.defaults()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("config key 'optim.epochs'")
                .hasMessageContaining("expects an integer");
        Path g = yaml("optim:\n  centering: mean\n");
        assertThatThrownBy(() -> ConfigLoader.load(g.toString(), List.of(), Sample.defaults()))
                .hasMessageContaining("'optim.centering'")
                .hasMessageContaining("centering, sinkhorn_knopp");
        assertThatThrownBy(() -> ConfigLoader.load(g.toString(), List.of("optim.epochs.x=1"), Sample.defaults()))
                .hasMessageContaining("is a value, not a section");
        assertThatThrownBy(() -> ConfigLoader.load(g.toString(), List.of("optim.epochs"), Sample.defaults()))
                .hasMessageContaining("must look like section.key=value");
        // What was given, in the user's words, not Jackson's types and tokens.
        Path h = yaml("optim:\n  epochs: [1, 2]\n");
        assertThatThrownBy(() -> ConfigLoader.load(h.toString(), List.of(), Sample.defaults()))
                .hasMessageEndingWith("expects an integer, got a list").hasMessageNotContaining("JsonToken");
        // A list where one number was given: said as a list, not as the Java class that holds it.
        assertThatThrownBy(() -> org.dinoj.model.train.config.DinoV2Config.parse("data: {mean: 0.5}\n"))
                .hasMessageContaining("config key 'data.mean'")
                .hasMessageEndingWith("expects a list (e.g. [0.5, 0.5, 0.5]), got a number with a fraction");
    }

    @Test
    void missingSourceAndBrokenYamlAreOneSentence() throws IOException {
        assertThatThrownBy(() -> ConfigLoader.load("no-such-preset", List.of(), Sample.defaults()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("neither a preset");
        Path f = yaml("optim: [unclosed\n");
        assertThatThrownBy(() -> ConfigLoader.load(f.toString(), List.of(), Sample.defaults()))
                .hasMessageContaining("not valid YAML");
        Path list = yaml("- 1\n- 2\n");
        assertThatThrownBy(() -> ConfigLoader.load(list.toString(), List.of(), Sample.defaults()))
                .hasMessageContaining("must be a YAML mapping");
        // A key given twice: which one was meant is not guessed (the last would win silently).
        Path twice = yaml("optim:\n  base_lr: 0.1\n  base_lr: 0.2\n");
        assertThatThrownBy(() -> ConfigLoader.load(twice.toString(), List.of(), Sample.defaults()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not valid YAML").hasMessageContaining("Duplicate field 'base_lr'");
    }

    @Test
    void yamlRoundTripsThroughTheJobSpecText() {
        Sample s = new Sample(new Optim(0.5, 7, Centering.CENTERING), new Crops(32, List.of(0.1, 0.9)));
        String text = ConfigLoader.toYaml(s);
        assertThat(text).contains("base_lr: 0.5").contains("global_crops_size: 32");
        assertThat(ConfigLoader.parse(text, Sample.defaults())).isEqualTo(s);
        assertThat(ConfigLoader.flatten(s)).containsEntry("optim.epochs", "7").containsEntry("crops.global_crops_size", "32");
    }

    @Test
    void everyListedPresetExists() {
        for (String preset : ConfigLoader.presets()) {
            assertThat(ConfigLoader.class.getResource("/configs/" + preset + ".yaml")).as(preset).isNotNull();
        }
    }
}
