package org.dinoj.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.dinoj.workflows.ActivitySettings;
import org.dinoj.workflows.CheckpointRef;
import org.dinoj.workflows.JobSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobRegistryTest {
    @TempDir
    Path root;

    static JobSpec spec(String id) {
        return new JobSpec(id, "name " + id, "optim:\n  epochs: 1\n", "tiny", "file:///tmp/" + id, null, 1, 1, 10, 5, 5, 1, 10,
                new ActivitySettings("q", Duration.ofSeconds(30), Duration.ofHours(1), 0), 0);
    }

    @Test
    void recordsSurviveAReopenAndKeepTheirSpecExactly() throws IOException {
        JobRegistry registry = new JobRegistry(root);
        JobRecord first = registry.register(spec("job-1"));
        assertThat(first.status()).isEqualTo(JobRecord.RegistryStatus.RUNNING);
        registry.update("job-1", JobRecord.RegistryStatus.RUNNING, new CheckpointRef("file:///c/step-5", "abc", 5), null);

        JobRecord reread = new JobRegistry(root).find("job-1").orElseThrow();
        assertThat(reread.spec()).isEqualTo(spec("job-1"));
        assertThat(reread.latestCheckpoint().step()).isEqualTo(5);
        assertThat(reread.createdAt()).isEqualTo(first.createdAt());
        // Registering again is idempotent: the existing record, progress included, is kept.
        assertThat(registry.register(spec("job-1")).latestCheckpoint().step()).isEqualTo(5);
    }

    @Test
    void aScheduleNoteIsKeptThroughLaterUpdatesAndARecordWithoutOneStillReads() throws IOException {
        JobRegistry registry = new JobRegistry(root);
        registry.register(spec("sized"));
        assertThat(registry.updateSizedSpec(spec("sized"), "31 epochs, predicted 55 of 59 minutes", "sized")).isTrue();
        registry.update("sized", JobRecord.RegistryStatus.PAUSED, null, "paused");
        registry.updateSpec(spec("sized"), "length 31 epochs");
        assertThat(new JobRegistry(root).find("sized").orElseThrow().schedule())
                .isEqualTo("31 epochs, predicted 55 of 59 minutes");

        // Records written before the note existed have no "schedule" field.
        Path file = root.resolve("registry/sized.json");
        Files.writeString(file, Files.readString(file).replaceAll(",\\s*\"schedule\"\\s*:\\s*\"[^\"]*\"", ""));
        assertThat(Files.readString(file)).doesNotContain("schedule");
        JobRecord old = new JobRegistry(root).find("sized").orElseThrow();
        assertThat(old.schedule()).isNull();
        assertThat(old.status()).isEqualTo(JobRecord.RegistryStatus.PAUSED);
    }

    @Test
    void theRegistrysAndTheLogsFolderNamesAreNoJobIdsAndATemporaryRecordIsNotListed() throws IOException {
        JobRegistry registry = new JobRegistry(root);
        for (String reserved : new String[] {"registry", "logs"}) {
            assertThatThrownBy(() -> registry.register(spec(reserved))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("job id '" + reserved + "' is the name of a folder dinoj keeps beside the jobs' folders"
                            + " (registry, logs): choose another");
        }
        registry.register(spec("registry-2"));
        // As write() leaves one while it writes, or a crash leaves one behind.
        Files.copy(root.resolve("registry/registry-2.json"), root.resolve("registry/.tmp-copy123.json"));
        // As a job named 'registry', made before the rule, wrote its results there.
        Files.writeString(root.resolve("registry/results.json"), "{\"job_id\": \"registry\", \"evaluations\": []}");
        // A job made before the rule is still found by its name.
        Path logsJob = root.resolve("registry/logs.json");
        Files.writeString(logsJob, Files.readString(root.resolve("registry/registry-2.json"))
                .replace("\"registry-2\"", "\"logs\""));
        assertThat(registry.find("logs")).isPresent();
        assertThat(registry.list()).extracting(JobRecord::jobId).containsExactlyInAnyOrder("registry-2", "logs");
    }

    @Test
    void unfinishedListsOnlyJobsThatStillNeedToRun() throws IOException {
        JobRegistry registry = new JobRegistry(root);
        registry.register(spec("a"));
        registry.register(spec("b"));
        registry.register(spec("c"));
        registry.update("b", JobRecord.RegistryStatus.COMPLETED, null, "done");
        registry.update("c", JobRecord.RegistryStatus.PAUSED, null, null);
        assertThat(registry.unfinished()).extracting(JobRecord::jobId).containsExactly("a", "c");
        assertThat(registry.list()).hasSize(3);
    }

    @Test
    void anUnreadableRecordIsSkippedNotFatal() throws IOException {
        JobRegistry registry = new JobRegistry(root);
        registry.register(spec("good"));
        Files.writeString(root.resolve("registry").resolve("broken.json"), "{ not json");
        assertThat(registry.list()).extracting(JobRecord::jobId).containsExactly("good");
    }

    @Test
    void jobIdsThatCouldEscapeTheDirectoryAreRefused() {
        JobRegistry registry = new JobRegistry(root);
        assertThatThrownBy(() -> registry.register(spec("../x"))).hasMessageContaining("must be 1-128 letters");
        assertThatThrownBy(() -> registry.find("")).hasMessageContaining("must be 1-128 letters");
        assertThatThrownBy(() -> registry.update("missing", JobRecord.RegistryStatus.FAILED, null, null))
                .hasMessageContaining("no job 'missing'");
    }
}
