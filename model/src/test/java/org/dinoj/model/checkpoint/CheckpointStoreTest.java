package org.dinoj.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
    @TempDir
    Path dir;

    private static CheckpointStore.Content files(String model, String trainer) {
        return d -> {
            Files.writeString(d.resolve("model.safetensors"), model);
            Files.writeString(d.resolve("trainer.json"), trainer);
        };
    }

    @Test
    void saveWritesAManifestThatVerifies() throws IOException {
        CheckpointStore store = new CheckpointStore(dir.resolve("job"));
        Checkpoint c = store.save(120, files("weights", "{\"step\":120}"));

        assertThat(c.directory().getFileName().toString()).isEqualTo("step-0000000120");
        assertThat(c.files()).containsOnlyKeys("model.safetensors", "trainer.json");
        // sha256("weights") computed independently with coreutils' sha256sum.
        assertThat(c.files().get("model.safetensors").sha256())
                .isEqualTo("9a129038d9a00aed0cf6a7ea059ca50a813449061ab87848cf1a13eafdf33b2c");
        assertThat(c.files().get("model.safetensors").bytes()).isEqualTo(7);
        assertThat(store.verify(120)).isEqualTo(c);
        assertThat(store.latestVerified()).contains(c);
        try (var listing = Files.list(store.root())) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("step-0000000120");
        }
    }

    @Test
    void corruptOrTruncatedNewestCheckpointFallsBackToThePreviousOne() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        Checkpoint first = store.save(10, files("aaaa", "{}"));
        Checkpoint second = store.save(20, files("bbbb", "{}"));
        assertThat(store.latestVerified()).contains(second);

        // Flip one byte: the size still matches, the hash does not.
        try (RandomAccessFile f = new RandomAccessFile(second.file("model.safetensors").toFile(), "rw")) {
            f.seek(1);
            f.write('X');
        }
        assertThatThrownBy(() -> store.verify(20)).hasMessageContaining("sha256");
        assertThat(store.latestVerified()).contains(first);

        Checkpoint third = store.save(30, files("cccc", "{}"));
        try (RandomAccessFile f = new RandomAccessFile(third.file("model.safetensors").toFile(), "rw")) {
            f.setLength(2);
        }
        assertThatThrownBy(() -> store.verify(30)).hasMessageContaining("truncated");
        Files.delete(store.root().resolve("step-0000000010").resolve(CheckpointStore.MANIFEST));
        assertThatThrownBy(() -> store.verify(10)).hasMessageContaining("no MANIFEST.json");
        assertThat(store.latestVerified()).isEmpty();
    }

    @Test
    void aFailedWriteLeavesNothingBehindAndKeepsEarlierCheckpoints() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        Checkpoint good = store.save(5, files("good", "{}"));

        assertThatThrownBy(() -> store.save(6, d -> {
            Files.writeString(d.resolve("model.safetensors"), "partial");
            throw new IOException("No space left on device");
        })).isInstanceOf(CheckpointWriteException.class)
                .hasMessageContaining("step 6")
                .hasMessageContaining("No space left on device")
                .hasMessageContaining("earlier checkpoints are untouched");

        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("step-0000000005");
        }
        assertThat(store.latestVerified()).contains(good);

        // One checkpoint written as its own folder (an import) has no earlier ones to speak of.
        Path imported = dir.resolve("imported");
        assertThatThrownBy(() -> CheckpointStore.writeDirectory(imported, 0, d -> {
            throw new IOException("No space left on device");
        })).hasMessageEndingWith("No space left on device; nothing was left at " + imported);
        assertThat(imported).doesNotExist();
    }

    @Test
    void rewritingAStepReplacesItAndRetainKeepsTheNewest() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        for (long step = 1; step <= 5; step++) {
            store.save(step, files("v" + step, "{}"));
        }
        Checkpoint again = store.save(5, files("v5-again", "{}"));
        assertThat(Files.readString(again.file("model.safetensors"))).isEqualTo("v5-again");
        Files.createDirectory(dir.resolve(".tmp-step-0000000006-crashed"));

        store.retain(2);
        assertThat(store.steps()).containsExactly(5L, 4L);
        assertThat(Files.exists(dir.resolve(".tmp-step-0000000006-crashed"))).isFalse();
        assertThatThrownBy(() -> store.retain(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRewriteInterruptedBetweenItsTwoRenamesLosesNeitherCopy() throws Exception {
        CheckpointStore store = new CheckpointStore(dir);
        store.save(4, files("v4", "{}"));
        store.save(5, files("v5", "{}"));
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        // The state a process killed inside a rewrite of step 5 leaves: the old copy renamed aside,
        // the new one still under its temporary name.
        Path aside = dir.resolve(CheckpointStore.replacedName("step-0000000005", gone.pid()));
        Files.move(dir.resolve("step-0000000005"), aside);
        Files.createDirectory(dir.resolve(".tmp-step-0000000005-killed"));

        Checkpoint latest = store.latestVerified().orElseThrow();
        assertThat(latest.step()).isEqualTo(5);
        assertThat(Files.readString(latest.file("model.safetensors"))).isEqualTo("v5");

        Files.move(dir.resolve("step-0000000005"), aside);
        store.retain(1);
        assertThat(store.steps()).containsExactly(5L);
        assertThat(Files.readString(store.verify(5).file("model.safetensors"))).isEqualTo("v5");
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("step-0000000005");
        }
    }

    @Test
    void aCopyALiveRewriteRenamedAsideIsLeftToItsWriter() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        store.save(4, files("v4", "{}"));
        store.save(5, files("v5", "{}"));
        // A writer of this host between its two renames (here: this very process): a reader must not
        // take the copy back, or the writer's rename into the step's name would fail.
        Path aside = dir.resolve(CheckpointStore.replacedName("step-0000000005", ProcessHandle.current().pid()));
        Files.move(dir.resolve("step-0000000005"), aside);

        assertThat(store.latestVerified().orElseThrow().step()).isEqualTo(4);
        store.retain(1);
        // Nor is it deleted with the other temporary folders: it is the only copy of its step.
        assertThat(aside).isDirectory();
        assertThat(dir.resolve("step-0000000005")).doesNotExist();

        // Another host's writer (a shared file system), renamed aside just now: left to it as well.
        Path foreign = dir.resolve(".tmp-old-step-0000000005-otherhost-42-" + java.util.UUID.randomUUID());
        Files.move(aside, foreign);
        assertThat(store.latestVerified().orElseThrow().step()).isEqualTo(4);
        assertThat(foreign).isDirectory();
    }

    @Test
    void retainSparesProtectedSteps() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        for (long step = 1; step <= 5; step++) {
            store.save(step, files("v" + step, "{}"));
        }
        store.retain(2, java.util.Set.of(1L));
        assertThat(store.steps()).containsExactly(5L, 4L, 1L);
    }

    @Test
    void aCheckpointMovedAsideLeavesTheStepsWholeAndReplacesAnOlderCopyThere() throws IOException {
        CheckpointStore store = new CheckpointStore(dir.resolve("shard"));
        Path aside = dir.resolve("shard/aside");
        store.save(3, files("first", "{}"));
        store.moveAside(3, aside);
        store.save(3, files("second", "{}"));
        store.save(4, files("v4", "{}"));

        Path moved = store.moveAside(3, aside);

        assertThat(store.steps()).containsExactly(4L);
        assertThat(moved).isEqualTo(aside.resolve("step-0000000003"));
        assertThat(new CheckpointStore(aside).verify(3).step()).isEqualTo(3);
        assertThat(Files.readString(moved.resolve("model.safetensors"))).isEqualTo("second");
        // The folder lies inside the store without being one of its steps: retention leaves it alone.
        store.retain(1);
        assertThat(new CheckpointStore(aside).steps()).containsExactly(3L);
    }

    @Test
    void manifestNamingFilesOutsideTheCheckpointIsRefused() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        Checkpoint c = store.save(7, files("m", "{}"));
        Path manifest = c.directory().resolve(CheckpointStore.MANIFEST);
        Files.writeString(manifest, Files.readString(manifest).replace("\"trainer.json\"", "\"../../etc/passwd\""));
        assertThatThrownBy(() -> store.verify(7)).hasMessageContaining("invalid file");
    }
}
