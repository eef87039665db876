package org.dinoj.tests;

import java.nio.file.Path;
import org.dinoj.worker.temporal.RealTemporalServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end-to-end jobs of {@link PretrainJobsTest} (worker processes, kill -9, two shards, pause,
 * resume, cancel) on the real Temporal dev server. The tests of the registry's reconcile, which only
 * the embedded server needs, and those of what dinoj decides beside the server (its command line,
 * the registry, the checkpoints, the evaluation) skip and say why.
 */
@Tag(RealTemporalServer.TAG)
class RealTemporalPretrainJobsTest extends PretrainJobsTest {
    @TempDir
    static Path serverDir;

    private static RealTemporalServer server;

    @BeforeAll
    static void startServer() {
        server = RealTemporalServer.start(serverDir);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected String temporalTarget() {
        return server.target();
    }
}
