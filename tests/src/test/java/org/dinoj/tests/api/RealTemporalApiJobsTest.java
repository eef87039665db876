package org.dinoj.tests.api;

import java.nio.file.Path;
import org.dinoj.worker.temporal.RealTemporalServer;
import org.junit.jupiter.api.Tag;

/**
 * The REST API tests of {@link ApiJobsTest} on the real Temporal dev server (SQLite, sticky
 * execution on), which scripts/build-temporal-server.sh builds; skipped, saying why, without it.
 */
@Tag(RealTemporalServer.TAG)
class RealTemporalApiJobsTest extends ApiJobsTest {
    private RealTemporalServer server;

    @Override
    protected String temporalTarget(Path tempDir) {
        server = RealTemporalServer.start(tempDir.resolve("temporal"));
        return server.target();
    }

    @Override
    protected void stopTemporal() {
        if (server != null) {
            server.close();
        }
    }
}
