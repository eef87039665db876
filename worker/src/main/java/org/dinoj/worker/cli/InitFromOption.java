package org.dinoj.worker.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.dinoj.model.checkpoint.CheckpointStore;
import org.dinoj.worker.activities.CheckpointLayout;
import org.dinoj.workflows.CheckpointRef;

/** What {@code --init-from DIR} names, for the commands that start jobs from a checkpoint's weights. */
final class InitFromOption {
    private InitFromOption() {
    }

    /**
     * The checkpoint directory (any name: a job's step directory, or one 'dinoj import' wrote),
     * verified against its manifest now rather than on a worker later.
     *
     * @throws IOException with one sentence when it is not a checkpoint that verifies
     */
    static CheckpointRef checkpoint(Path dir) throws IOException {
        try {
            return CheckpointLayout.ref(CheckpointStore.verifyDirectory(dir.toAbsolutePath().normalize()));
        } catch (IOException e) {
            throw new IOException("--init-from " + dir + " is not a checkpoint that verifies: " + e.getMessage(), e);
        }
    }
}
