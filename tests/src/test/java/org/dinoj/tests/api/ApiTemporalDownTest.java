package org.dinoj.tests.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.dinoj.worker.api.ApiServer;
import org.dinoj.worker.api.ApiToken;
import org.dinoj.worker.api.DataRoots;
import org.dinoj.worker.api.JobsApi;
import org.dinoj.worker.cli.ApiCommand;
import org.dinoj.worker.jobs.JobRegistry;
import org.dinoj.worker.jobs.JobService;
import org.dinoj.worker.metrics.PrometheusMetrics;
import org.dinoj.worker.temporal.WorkerBootstrap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /v1/jobs} while no Temporal service answers: 503, and nothing is kept that would block the same request later. */
class ApiTemporalDownTest {
    private static final String TOKEN = "test-token-0123456789abcdef";

    @Test
    void aJobCreatedWhileTemporalIsDownGets503AndLeavesNoRecordOrKeyBehind(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path checkpoints = Files.createDirectories(dir.resolve("checkpoints"));
        Path config = Files.writeString(data.resolve("toy.yaml"), "optim: {epochs: 1}\ntoy: {dim: 4}\n");
        int nothingListens;
        try (ServerSocket s = new ServerSocket(0)) {
            nothingListens = s.getLocalPort();
        }
        // As 'dinoj api' connects (its calls give up after ApiCommand.TEMPORAL_CALLS_GIVE_UP_AFTER), without the
        // start-up health check.
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkerBootstrap.answeringOptions(
                "127.0.0.1:" + nothingListens, new com.uber.m3.tally.NoopScope(), ApiCommand.TEMPORAL_CALLS_GIVE_UP_AFTER));
        JobRegistry registry = new JobRegistry(checkpoints);
        try (PrometheusMetrics metrics = PrometheusMetrics.create();
             ApiServer api = ApiServer.start("127.0.0.1", 0, Optional.of(ApiToken.of(TOKEN)), new JobsApi(
                     new JobService(WorkflowClient.newInstance(stubs), registry), checkpoints, DataRoots.of(List.of(data))),
                     metrics)) {
            String body = "{\"config\": \"" + config + "\", \"job_id\": \"later\"}";
            HttpClient http = HttpClient.newHttpClient();
            for (int attempt = 1; attempt <= 2; attempt++) {
                long sent = System.currentTimeMillis();
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port()
                                + "/v1/jobs")).timeout(Duration.ofSeconds(60))
                        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                        .header("Idempotency-Key", "create-later").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                long tookMillis = System.currentTimeMillis() - sent;
                // Soon, not after the SDK's minute of retries: job creation is serialised behind this request.
                assertThat(tookMillis).as("attempt %d took %d ms", attempt, tookMillis)
                        .isLessThan(ApiCommand.TEMPORAL_CALLS_GIVE_UP_AFTER.toMillis() + 5000);
                // The same request again (key and job_id) meets the same answer, not 409 or a replay.
                assertThat(r.statusCode()).as("attempt %d: %s", attempt, r.body()).isEqualTo(503);
                assertThat(new ObjectMapper().readTree(r.body()).path("error").asText())
                        .startsWith("the Temporal service does not answer (").endsWith("); retry when it is back");
                assertThat(registry.find("later")).as("attempt %d", attempt).isEmpty();
            }
        } finally {
            stubs.shutdownNow();
        }
    }
}
