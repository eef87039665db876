package org.dinoj.worker.cli;

import java.nio.file.Path;
import java.util.List;
import org.dinoj.model.checkpoint.CheckpointStore;
import org.dinoj.model.train.DinoV2Session;
import org.dinoj.model.train.config.DinoV2Config;

/** A real DINOv2 checkpoint of the tiny-test preset after one step, for the eval commands' tests. */
final class TinyCheckpoint {
    private TinyCheckpoint() {}

    /** Trains one step of tiny-test and saves it, with its manifest, as {@code dir/ckpt}; returns that directory. */
    static Path afterOneStep(Path dir) throws Exception {
        Path checkpoint = dir.resolve("ckpt");
        try (DinoV2Session session = DinoV2Session.open(DinoV2Config.load("tiny-test", List.of()), 0, 1, null)) {
            session.trainStep();
            CheckpointStore.writeDirectory(checkpoint, session.step(), session::saveTo);
        }
        return checkpoint;
    }

    /** {@code checkpoint} as dinoj wrote checkpoints before they kept config.yaml: its other files, a manifest of them. */
    static Path withoutConfig(Path checkpoint, Path target) throws Exception {
        CheckpointStore.writeDirectory(target, CheckpointStore.verifyDirectory(checkpoint).step(), d -> {
            for (String file : List.of(DinoV2Session.MODEL_FILE, DinoV2Session.OPTIMIZER_FILE, DinoV2Session.TRAINER_FILE)) {
                java.nio.file.Files.copy(checkpoint.resolve(file), d.resolve(file));
            }
        });
        return target;
    }
}
