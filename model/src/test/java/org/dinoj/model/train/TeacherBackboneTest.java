package org.dinoj.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dinoj.model.train.config.DinoV2Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TeacherBackboneTest {
    /** A worker opens a teacher for every k-NN evaluation of a job: closing it must free its weights' memory. */
    @Test
    void closingGivesTheWeightsMemoryBack(@TempDir Path dir) throws Exception {
        DinoV2Config config = DinoV2Config.load("tiny-test", List.of());
        Path checkpoint = dir.resolve("ckpt");
        Files.createDirectories(checkpoint);
        try (DinoV2Session session = DinoV2Session.open(config, 0, 1, null)) {
            session.saveTo(checkpoint);
        }
        MemorySegment weights;
        try (TeacherBackbone teacher = TeacherBackbone.open(config, checkpoint)) {
            weights = teacher.model().parameters().getFirst().value().data();
            assertThat(weights.scope().isAlive()).isTrue();
            weights.get(ValueLayout.JAVA_FLOAT, 0);
        }
        assertThat(weights.scope().isAlive()).isFalse();
        assertThatThrownBy(() -> weights.get(ValueLayout.JAVA_FLOAT, 0)).isInstanceOf(IllegalStateException.class);
    }
}
