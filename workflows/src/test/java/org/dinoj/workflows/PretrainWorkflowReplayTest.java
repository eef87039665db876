package org.dinoj.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays histories recorded with earlier versions of the workflow: a change of command order
 * that is not guarded by Workflow.getVersion fails here instead of breaking running jobs.
 */
class PretrainWorkflowReplayTest {

    static List<Path> histories() throws IOException, URISyntaxException {
        Path dir = Path.of(PretrainWorkflowReplayTest.class.getResource("/histories").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
    }

    @ParameterizedTest
    @MethodSource("histories")
    void recordedHistoryReplaysWithoutNondeterminism(Path history) throws Exception {
        assertThat(Files.size(history)).isPositive();
        WorkflowReplayer.replayWorkflowExecution(Files.readString(history), PretrainWorkflowImpl.class);
    }
}
