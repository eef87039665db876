package org.dinoj.worker.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dinoj.model.train.DinoV2Session;
import org.dinoj.model.train.config.DinoV2Config;

/** A real DINOv2 checkpoint of the tiny-test preset after one step, for the eval commands' tests. */
final class TinyCheckpoint {
    private TinyCheckpoint() {}

    /** Trains one step of tiny-test and saves it into {@code dir/ckpt}; returns that directory. */
    static Path afterOneStep(Path dir) throws Exception {
        Path checkpoint = dir.resolve("ckpt");
        Files.createDirectories(checkpoint);
        try (DinoV2Session session = DinoV2Session.open(DinoV2Config.load("tiny-test", List.of()), 0, 1, null)) {
            session.trainStep();
            session.saveTo(checkpoint);
        }
        return checkpoint;
    }
}
