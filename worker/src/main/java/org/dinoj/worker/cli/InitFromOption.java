package org.dinoj.worker.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import org.dinoj.model.checkpoint.CheckpointStore;
import org.dinoj.model.train.DinoV2Session;
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

    /**
     * The configuration a job from {@code initFrom} trains with: {@code config} when given, else
     * the {@code config.yaml} the checkpoint's weights were trained with (said on {@code out}, as
     * the user did not name it); empty when neither option is given.
     *
     * @throws IllegalArgumentException with one sentence, naming {@code command}, when the checkpoint
     *     holds no config.yaml and no {@code config} is given: the defaults would train another model
     */
    static Optional<String> configSource(String command, String config, Path initFrom, PrintStream out) {
        if (config != null || initFrom == null) {
            return Optional.ofNullable(config);
        }
        // Retraining on new images: the recipe the weights were trained with, changed by --set.
        String trained = DinoV2Session.configFile(initFrom).map(Path::toString).orElseThrow(() ->
                new IllegalArgumentException(command + " needs --config: " + initFrom + " holds no config.yaml"
                        + " (a checkpoint written before dinoj kept one)"));
        out.println("configuration: " + trained + " (the one its weights were trained with; --config replaces it)");
        return Optional.of(trained);
    }
}
