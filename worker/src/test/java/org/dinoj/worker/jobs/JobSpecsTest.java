package org.dinoj.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobSpecsTest {
    @Test
    void aJobsCheckpointStoreHasOneFormWhetherItsFolderExistsOrNot(@TempDir Path dir) throws IOException {
        Path later = dir.resolve("later");
        Path existing = Files.createDirectory(dir.resolve("existing"));
        assertThat(JobSpecs.storeUri(later)).isEqualTo(later.toUri().toString()).doesNotEndWith("/");
        // Path.toUri ends an existing directory's URI with '/'.
        assertThat(existing.toUri().toString()).endsWith("/");
        assertThat(JobSpecs.storeUri(existing)).isEqualTo("file://" + existing.toAbsolutePath());
        assertThat(JobSpecs.storeUri(dir.resolve("a/../later"))).isEqualTo(JobSpecs.storeUri(later));
    }

    @Test
    void relativeDatasetFoldersAreAnchoredWhereTheJobWasSubmitted(@TempDir Path dir) {
        String config = "data: {dataset: \"folder:my images/../my images\"}\neval: {dataset: idx:mnist}\noptim: {epochs: 2}\n";
        com.fasterxml.jackson.databind.JsonNode tree = org.dinoj.model.config.ConfigLoader.tree(
                JobSpecs.anchoredDatasets(config, dir));
        assertThat(tree.at("/data/dataset").asText()).isEqualTo("folder:" + dir.resolve("my images"));
        assertThat(tree.at("/eval/dataset").asText()).isEqualTo("idx:" + dir.resolve("mnist"));
        assertThat(tree.at("/optim/epochs").asInt()).isEqualTo(2);
        // Nothing relative: the text as it was, comments and all.
        String absolute = "# mine\ndata: {dataset: folder:/data/x}\neval: {dataset: fashion-mnist}\n";
        assertThat(JobSpecs.anchoredDatasets(absolute, dir)).isSameAs(absolute);
        String synthetic = "data: {dataset: 'synthetic:64:16x16x1'}\n";
        assertThat(JobSpecs.anchoredDatasets(synthetic, dir)).isSameAs(synthetic);
    }
}
