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
}
