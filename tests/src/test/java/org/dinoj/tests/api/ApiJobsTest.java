package org.dinoj.tests.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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
import org.dinoj.model.checkpoint.CheckpointStore;
import org.dinoj.model.checkpoint.SafeTensors;
import org.dinoj.model.checkpoint.SafeTensorsFile;
import org.dinoj.model.config.ConfigLoader;
import org.dinoj.model.train.TrainingSession;
import org.dinoj.worker.activities.CheckpointLayout;
import org.dinoj.worker.api.ApiServer;
import org.dinoj.worker.api.ApiToken;
import org.dinoj.worker.api.DataRoots;
import org.dinoj.worker.api.JobsApi;
import org.dinoj.worker.cli.DinojCli;
import org.dinoj.worker.jobs.LocalRunner;
import org.dinoj.worker.metrics.PrometheusMetrics;
import org.dinoj.worker.toy.ToyTrainingSession;
import org.dinoj.worker.toy.ToyTrainingSessionFactory;
import org.dinoj.workflows.CheckpointRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API over real HTTP (java.net.http): the API in this JVM, the embedded Temporal server
 * ({@link RealTemporalApiJobsTest}: the real dev server) and one worker process (the production 'dinoj worker' with the toy session and --metrics-port).
 * One set of servers for all tests; each test uses its own job ids. Waits poll with generous limits
 * because the machine may be loaded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiJobsTest {
    private static final Logger log = LoggerFactory.getLogger(ApiJobsTest.class);
    private static final Duration LIMIT = Duration.ofSeconds(120);
    private static final String TOKEN = "test-token-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);

    private Path dir;
    private Path data;
    private Path checkpoints;
    private LocalRunner runner;
    private PrometheusMetrics metrics;
    private ApiServer api;
    private int workerMetricsPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    void start(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path tempDir) throws IOException {
        dir = tempDir;
        data = Files.createDirectories(dir.resolve("data"));
        checkpoints = Files.createDirectories(dir.resolve("checkpoints"));
        Files.createDirectories(data.resolve("images"));
        workerMetricsPort = freePort();
        metrics = PrometheusMetrics.create();
        // As 'dinoj api' does: the client's Temporal SDK metrics go to the API's registry.
        runner = LocalRunner.start(new LocalRunner.Options(temporalTarget(dir), 0, 1, checkpoints, List.of(DinojCli.class.getName(),
                "worker", "--metrics-port", Integer.toString(workerMetricsPort))), line -> log.info("supervisor: {}", line),
                metrics.temporalScope());
        api = ApiServer.start("127.0.0.1", 0, Optional.of(ApiToken.of(TOKEN)),
                new JobsApi(runner.jobs(), checkpoints, DataRoots.of(List.of(data))), metrics);
    }

    @AfterAll
    void stop() {
        if (api != null) {
            api.close();
        }
        if (runner != null) {
            runner.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        stopTemporal();
    }

    /** The Temporal service for the runner, as host:port; null: the embedded server the runner starts. */
    protected String temporalTarget(Path tempDir) {
        return null;
    }

    /** Stops what {@link #temporalTarget} started, after the API and the worker. */
    protected void stopTemporal() {
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A toy job config inside the data root. */
    private String config(String name, long epochLength, long stepMillis) throws IOException {
        Path file = data.resolve(name + ".yaml");
        Files.writeString(file, "optim: {epochs: 1}\n"
                + "train: {OFFICIAL_EPOCH_LENGTH: " + epochLength + "}\n"
                + "job: {steps_per_round: 40, checkpoint_every_steps: 5, eval_every_epochs: 0, heartbeat_timeout_seconds: 2}\n"
                + "toy: {dim: 4, step_millis: " + stepMillis + "}\n");
        return file.toString();
    }

    // ---- HTTP helpers ----

    private HttpResponse<String> send(String method, String path, String body, String token, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        return send("POST", path, body, TOKEN, headers);
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = send("GET", path, null, TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static String error(HttpResponse<String> r) throws IOException {
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        return JSON.readTree(r.body()).path("error").asText();
    }

    private JsonNode start(String body, String... headers) throws Exception {
        HttpResponse<String> r = post("/v1/jobs", body, headers);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body());
    }

    private JsonNode awaitJob(String id, String what, java.util.function.Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (true) {
            JsonNode job = get("/v1/jobs/" + id);
            if (condition.test(job)) {
                return job;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + LIMIT + " waiting for " + what + "; last: " + job);
            }
            Thread.sleep(100);
        }
    }

    private static long heartbeatStep(JsonNode job) {
        JsonNode rounds = job.path("pending_rounds");
        return rounds.isArray() && !rounds.isEmpty() && rounds.get(0).path("heartbeat").isObject()
                ? rounds.get(0).path("heartbeat").path("step").asLong() : -1;
    }

    // ---- tests ----

    @Test
    void everyRouteButHealthzNeedsTheToken() throws Exception {
        assertThat(send("GET", "/healthz", null, null).statusCode()).isEqualTo(200);
        for (String path : List.of("/v1/jobs", "/v1/jobs/x", "/metrics", "/openapi.yaml", "/no/such/route")) {
            HttpResponse<String> none = send("GET", path, null, null);
            assertThat(none.statusCode()).as(path).isEqualTo(401);
            assertThat(error(none)).contains("Bearer");
            HttpResponse<String> wrong = send("GET", path, null, TOKEN + "x");
            assertThat(wrong.statusCode()).as(path).isEqualTo(401);
            assertThat(error(wrong)).contains("not the one");
        }
        assertThat(send("POST", "/v1/jobs", "{\"config\": \"x\"}", null).statusCode()).isEqualTo(401);
        assertThat(send("POST", "/v1/jobs/x/pause", null, "").statusCode()).isEqualTo(401);
        assertThat(send("PATCH", "/v1/jobs/x", "{\"epochs\": 2}", null).statusCode()).isEqualTo(401);
        HttpResponse<String> doc = send("GET", "/openapi.yaml", null, TOKEN);
        assertThat(doc.statusCode()).isEqualTo(200);
        assertThat(doc.body()).startsWith("openapi: 3.1.0").contains("/v1/jobs/{id}/pause:");
        HttpResponse<String> missing = send("GET", "/v1/jobs/no-such-job", null, TOKEN);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(error(missing)).isEqualTo("no job 'no-such-job'");
        HttpResponse<String> noRoute = send("GET", "/no/such/route", null, TOKEN);
        assertThat(noRoute.statusCode()).isEqualTo(404);
        assertThat(error(noRoute)).isEqualTo("no route GET /no/such/route; see /openapi.yaml");
        // Refused by Jetty before routing: the same JSON shape, not Jetty's HTML page.
        HttpResponse<String> nul = send("GET", "/v1/jobs/a%00b", null, TOKEN);
        assertThat(nul.statusCode()).isEqualTo(400);
        assertThat(nul.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(error(nul)).startsWith("HTTP 400 Bad Request: the request was refused before it reached a route");
        assertThat(nul.headers().firstValue("Connection")).contains("close");
        assertThat(post("/v1/jobs/no-such-job/cancel", null).statusCode()).isEqualTo(404);
        // A route that exists, asked with a method it does not take.
        HttpResponse<String> delete = send("DELETE", "/v1/jobs/some-job", null, TOKEN);
        assertThat(delete.statusCode()).isEqualTo(405);
        assertThat(error(delete)).isEqualTo("DELETE is not taken by /v1/jobs/some-job; it takes GET, PATCH (see /openapi.yaml)");
        assertThat(delete.headers().firstValue("Allow")).contains("GET, PATCH");
        assertThat(send("GET", "/v1/jobs/some-job/cancel", null, TOKEN).statusCode()).isEqualTo(405);
        // Not an id any job can have: a malformed request, its echo kept short.
        HttpResponse<String> accented = send("GET", "/v1/jobs/%C3%A9", null, TOKEN);
        assertThat(accented.statusCode()).isEqualTo(400);
        assertThat(error(accented)).startsWith("job id '\u00e9'");
        HttpResponse<String> huge = send("GET", "/v1/jobs/" + "a".repeat(5000), null, TOKEN);
        assertThat(huge.statusCode()).isEqualTo(400);
        assertThat(error(huge)).isEqualTo("'" + "a".repeat(40) + "...' (5000 characters) is not a job id: ids are 1-128"
                + " letters, digits, '.', '_' or '-'");
    }

    @Test
    void invalidBodiesAreRefusedWithOneSentence() throws Exception {
        String config = config("valid", 10, 0);
        record Case(String body, String errorContains) {
        }
        List<Case> cases = List.of(
                new Case("not json", "not valid JSON"),
                new Case("[1, 2]", "must be a JSON object"),
                new Case("{}", "field 'config' is required"),
                new Case("{\"config\": 5}", "field 'config' must be a string, got number"),
                new Case("{\"config\": \"" + config + "\", \"dataset\": true}", "field 'dataset' must be a string"),
                new Case("{\"config\": \"" + config + "\", \"epochs\": 3}", "unknown field 'epochs'"),
                new Case("{\"config\": \"" + config + "\", \"overrides\": [1]}", "field 'overrides' must be an object"),
                new Case("{\"config\": \"" + config + "\", \"overrides\": {\"optim.epochs\": {\"a\": 1}}}",
                        "override 'optim.epochs' must be a string, number, boolean"),
                new Case("{\"config\": \"" + config + "\", \"overrides\": {\"epochs\": 1}}", "must be dotted"),
                new Case("{\"config\": \"" + config + "\", \"overrides\": {\"data.dataset\": \"folder:/etc\"}}",
                        "would name a path"),
                new Case("{\"config\": \"" + config + "\", \"config\": \"" + config + "\"}", "Duplicate field"),
                new Case("{\"config\": \"" + config + "\", \"job_id\": \"../x\"}", "job id '../x'"),
                new Case("{\"config\": \"" + config + "\", \"job_id\": \"registry\"}",
                        "job id 'registry' is the name of a folder dinoj keeps beside the jobs' folders"),
                new Case("{\"config\": \"" + config + "\"} {\"job_id\": \"x\"}", "not valid JSON"),
                new Case("{\"config\": \"" + config + "\", \"overrides\": {\"optim.epochs\": 0}}", "optim.epochs"),
                // A key of the trainer's own, refused by its check before anything is recorded.
                new Case("{\"config\": \"" + config + "\", \"job_id\": \"x\", \"overrides\": {\"toy.dim\": 0}}",
                        "config key 'toy.dim' expects a positive integer, got '0'"),
                new Case("{\"config\": \"no-such-preset\"}", "not a preset"),
                new Case("{\"config\": \"" + config + "\", \"dataset\": \"s3:bucket\"}", "is not one of"),
                new Case("{\"config\": \"" + config + "\", \"base_checkpoint\": \"http://x/y\"}", "scheme other than file:"),
                new Case("{\"config\": \"" + config + "\", \"time_budget_minutes\": 0}",
                        "field 'time_budget_minutes' must be a number of minutes above 0 and at most 525600, got 0"),
                new Case("{\"config\": \"" + config + "\", \"time_budget_minutes\": \"60\"}",
                        "field 'time_budget_minutes' must be a number of minutes above 0 and at most 525600, got string"),
                new Case("{\"config\": \"" + config + "\", \"time_budget_minutes\": 60, \"overrides\": {\"optim.epochs\": 3}}",
                        "time_budget_minutes chooses optim.epochs itself"));
        for (Case c : cases) {
            HttpResponse<String> r = post("/v1/jobs", c.body());
            assertThat(r.statusCode()).as(c.body() + " -> " + r.body()).isEqualTo(400);
            assertThat(error(r)).as(c.body()).contains(c.errorContains());
        }
        // Jackson's reason without its echo of the input, and where.
        HttpResponse<String> open = post("/v1/jobs", "{");
        assertThat(open.statusCode()).isEqualTo(400);
        assertThat(error(open)).startsWith("the request body is not valid JSON: Unexpected end-of-input")
                .doesNotContain("Source").doesNotContain("byte[]").matches(".*\\(line 1, column \\d+\\)$");
        HttpResponse<String> form = send("POST", "/v1/jobs", null, TOKEN, "Content-Type", "text/plain");
        assertThat(form.statusCode()).isEqualTo(415);
        HttpResponse<String> jsonx = send("POST", "/v1/jobs", null, TOKEN, "Content-Type", "application/jsonx");
        assertThat(jsonx.statusCode()).isEqualTo(415);
        // A body that says it is compressed and is not: refused, not read as plain JSON and started.
        HttpResponse<String> gzip = send("POST", "/v1/jobs", null, TOKEN, "Content-Type", "application/json; charset=utf-8",
                "Content-Encoding", "gzip");
        assertThat(gzip.statusCode()).isEqualTo(415);
        assertThat(error(gzip)).isEqualTo("the request body must be sent as it is: Content-Encoding 'gzip' is not taken");
        // Nothing was started or registered by any of them.
        assertThat(get("/v1/jobs").path("jobs").findValuesAsText("job_id")).doesNotContain("x", "../x", "registry");
    }

    @Test
    void pathsOutsideTheDataRootsAreRefused() throws Exception {
        String config = config("paths", 10, 0);
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("secret.yaml"), "optim: {epochs: 1}\n");
        Path link = data.resolve("link-out");
        Files.createSymbolicLink(link, outside);
        String[][] cases = {
                {"dataset", "folder:" + data + "/../outside", "contains '..'"},
                {"dataset", "folder:" + outside, "outside the data roots"},
                {"dataset", "folder:" + link, "through a symbolic link"},
                {"dataset", "idx:relative/dir", "not an absolute path"},
                {"dataset", "folder:" + data.resolve("missing"), "does not exist"},
                {"config", data + "/../outside/secret.yaml", "contains '..'"},
                {"config", link.resolve("secret.yaml").toString(), "through a symbolic link"},
                {"base_checkpoint", "file://" + outside + "/step-0000000001", "outside the data roots"},
                {"base_checkpoint", data.resolve("images").toString(), "not a checkpoint directory"},
        };
        for (String[] c : cases) {
            String body = c[0].equals("config") ? "{\"config\": \"" + c[1] + "\"}"
                    : "{\"config\": \"" + config + "\", \"" + c[0] + "\": \"" + c[1] + "\"}";
            HttpResponse<String> r = post("/v1/jobs", body);
            assertThat(r.statusCode()).as(body + " -> " + r.body()).isEqualTo(400);
            assertThat(error(r)).as(body).contains(c[2]);
        }

        // A config file inside a root may name datasets anywhere: those are confined as the field is.
        Path namesOutside = data.resolve("names-outside.yaml");
        Files.writeString(namesOutside, Files.readString(Path.of(config)) + "data: {dataset: \"folder:" + outside + "\"}\n");
        Path evalOutside = data.resolve("eval-outside.yaml");
        Files.writeString(evalOutside, Files.readString(Path.of(config)) + "eval: {dataset: \"idx:" + outside + "\"}\n");
        // Base checkpoints without a config: one from before config.yaml, one whose config.yaml leads out.
        Path old = data.resolve("old-weights");
        CheckpointStore.writeDirectory(old, 1, d -> Files.writeString(d.resolve("model.safetensors"), "weights"));
        Path linked = data.resolve("linked-weights");
        CheckpointStore.writeDirectory(linked, 1, d -> {
            Files.writeString(d.resolve("model.safetensors"), "weights");
            Files.createSymbolicLink(d.resolve("config.yaml"), outside.resolve("secret.yaml"));
        });
        String[][] bodies = {
                {"{\"config\": \"" + namesOutside + "\"}", "the configuration's data.dataset '" + outside + "' lies outside the data roots"},
                {"{\"config\": \"" + evalOutside + "\"}", "the configuration's eval.dataset '" + outside + "' lies outside the data roots"},
                {"{\"base_checkpoint\": \"" + old + "\"}", "holds no config.yaml (it was written before checkpoints kept"
                        + " their configuration): give config"},
                {"{\"base_checkpoint\": \"" + linked + "\"}", "base_checkpoint's config.yaml"},
        };
        for (String[] c : bodies) {
            HttpResponse<String> r = post("/v1/jobs", c[0]);
            assertThat(r.statusCode()).as(c[0] + " -> " + r.body()).isEqualTo(400);
            assertThat(error(r)).as(c[0]).contains(c[1]).doesNotContain("optim");
        }
    }

    @Test
    void anOversizeBodyIs413() throws Exception {
        String big = "{\"config\": \"x\", \"overrides\": {\"toy.pad\": \"" + "a".repeat(900_000) + "\"}}";
        // The server reads and drops the refused body, so the client gets the answer, not a reset mid-write.
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = post("/v1/jobs", big);
            assertThat(r.statusCode()).isEqualTo(413);
            assertThat(error(r)).isEqualTo("the request body has " + big.length() + " bytes; the limit is 65536");
        }
        // Chunked: no length up front.
        HttpRequest chunked = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/v1/jobs"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(
                        big.getBytes(java.nio.charset.StandardCharsets.UTF_8)))).build();
        HttpResponse<String> r = http.send(chunked, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(error(r)).isEqualTo("the request body is longer than the limit of 65536 bytes");
    }

    @Test
    void startStatusPauseResumeCancelAndIdempotentRetries() throws Exception {
        String body = "{\"config\": \"" + config("ctl", 400, 40) + "\", \"dataset\": \"folder:" + data.resolve("images")
                + "\", \"overrides\": {\"toy.dim\": 3}, \"job_id\": \"api-ctl\"}";
        JsonNode started = start(body, "Idempotency-Key", "key-ctl-1");
        assertThat(started.path("job_id").asText()).isEqualTo("api-ctl");
        // Path.toUri ends a directory that exists with '/': the store was named before its round created it.
        assertThat(started.path("checkpoint_store").asText())
                .isEqualTo(checkpoints.resolve("api-ctl").toUri().toString().replaceAll("/$", ""));

        // The same request again with the same key: the first job, not a second one.
        HttpResponse<String> replay = post("/v1/jobs", body, "Idempotency-Key", "key-ctl-1");
        assertThat(replay.statusCode()).isEqualTo(200);
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(JSON.readTree(replay.body()).path("job_id").asText()).isEqualTo("api-ctl");
        HttpResponse<String> reused = post("/v1/jobs", body.replace("\"toy.dim\": 3", "\"toy.dim\": 5"),
                "Idempotency-Key", "key-ctl-1");
        assertThat(reused.statusCode()).isEqualTo(409);
        assertThat(error(reused)).contains("was used for another request");
        HttpResponse<String> duplicateId = post("/v1/jobs", body);
        assertThat(duplicateId.statusCode()).isEqualTo(409);
        assertThat(error(duplicateId)).contains("exists already");

        JsonNode running = awaitJob("api-ctl", "a heartbeat past step 3", j -> heartbeatStep(j) >= 3);
        assertThat(running.path("service_state").asText()).isEqualTo("RUNNING");
        assertThat(running.path("progress").path("total_steps").asLong()).isEqualTo(400);
        assertThat(running.path("pending_rounds").get(0).path("heartbeat").path("end_step").asLong()).isEqualTo(40);
        assertThat(get("/v1/jobs").path("jobs").findValuesAsText("job_id")).contains("api-ctl");

        // Requests the job's state makes pointless, and ones it does not take, are refused, not dropped.
        HttpResponse<String> resumeRunning = post("/v1/jobs/api-ctl/resume", null);
        assertThat(resumeRunning.statusCode()).isEqualTo(409);
        assertThat(error(resumeRunning)).isEqualTo("job 'api-ctl' is running; it cannot resume (only a paused or pausing job"
                + " resumes)");
        HttpResponse<String> withBody = post("/v1/jobs/api-ctl/pause", "{\"now\": true}");
        assertThat(withBody.statusCode()).isEqualTo(400);
        assertThat(error(withBody)).isEqualTo("POST .../pause takes no request body (or an empty JSON object)");
        HttpResponse<String> filtered = send("GET", "/v1/jobs?status=BOGUS", null, TOKEN);
        assertThat(filtered.statusCode()).isEqualTo(400);
        assertThat(error(filtered)).isEqualTo("GET /v1/jobs takes no query parameters (got status)");

        HttpResponse<String> pause = post("/v1/jobs/api-ctl/pause", null);
        assertThat(pause.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(pause.body()).path("requested").asText()).isEqualTo("pause");
        JsonNode paused = awaitJob("api-ctl", "paused", j -> j.path("progress").path("status").asText().equals("PAUSED"));
        long pausedAt = paused.path("progress").path("step").asLong();
        assertThat(pausedAt).isPositive();
        assertThat(paused.path("status").asText()).isEqualTo("PAUSED");
        assertThat(paused.path("latest_checkpoint").path("step").asLong()).isEqualTo(pausedAt);
        assertThat(paused.path("pending_rounds")).isEmpty();
        HttpResponse<String> pauseAgain = post("/v1/jobs/api-ctl/pause", null);
        assertThat(pauseAgain.statusCode()).isEqualTo(409);
        assertThat(error(pauseAgain)).isEqualTo("job 'api-ctl' is paused; it cannot pause");

        assertThat(post("/v1/jobs/api-ctl/resume", null).statusCode()).isEqualTo(202);
        awaitJob("api-ctl", "training past the pause", j -> heartbeatStep(j) > pausedAt);

        assertThat(post("/v1/jobs/api-ctl/cancel", "{}").statusCode()).as("an empty object is no body").isEqualTo(202);
        JsonNode cancelled = awaitJob("api-ctl", "cancelled", j -> j.path("status").asText().equals("CANCELLED"));
        assertThat(cancelled.path("progress").path("step").asLong()).isGreaterThan(pausedAt).isLessThan(400);
        HttpResponse<String> late = post("/v1/jobs/api-ctl/pause", null);
        assertThat(late.statusCode()).isEqualTo(409);
        assertThat(error(late)).contains("already ended (cancelled)");
        // The key still names the job after it ended.
        assertThat(post("/v1/jobs", body, "Idempotency-Key", "key-ctl-1").statusCode()).isEqualTo(200);
    }

    /**
     * A workflow of the requested id that this registry did not start (another registry, another client
     * on the same namespace) is refused, not attached to: the API would report its progress as the new job's.
     */
    @Test
    void aJobIdThatAnotherWorkflowRunsUnderIsRefusedAndLeavesNoRecordOrKey() throws Exception {
        io.temporal.serviceclient.WorkflowServiceStubs service = io.temporal.serviceclient.WorkflowServiceStubs
                .newServiceStubs(io.temporal.serviceclient.WorkflowServiceStubsOptions.newBuilder()
                        .setTarget(runner.target()).build());
        try {
            io.temporal.client.WorkflowStub foreign = io.temporal.client.WorkflowClient.newInstance(service)
                    .newUntypedWorkflowStub("SomeoneElsesWorkflow", io.temporal.client.WorkflowOptions.newBuilder()
                            .setWorkflowId("api-foreign").setTaskQueue("no-worker-polls-this").build());
            foreign.start();
            String body = "{\"config\": \"" + config("foreign", 10, 0) + "\", \"job_id\": \"api-foreign\"}";

            HttpResponse<String> refused = post("/v1/jobs", body, "Idempotency-Key", "key-foreign");
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
            assertThat(error(refused)).isEqualTo("a workflow with id 'api-foreign' already runs on the Temporal service,"
                    + " and this job registry did not start it; choose another job id");
            assertThat(send("GET", "/v1/jobs/api-foreign", null, TOKEN).statusCode()).isEqualTo(404);

            // Once that workflow is gone the same request, with the same key, starts the job.
            foreign.terminate("test: the other workflow ends");
            assertThat(start(body, "Idempotency-Key", "key-foreign").path("job_id").asText()).isEqualTo("api-foreign");
            awaitJob("api-foreign", "completed", j -> j.path("status").asText().equals("COMPLETED"));
        } finally {
            service.shutdownNow();
        }
    }

    @Test
    void aRunningJobsLengthChangesTheRegistryKeepsItAndWorkDoneBoundsIt() throws Exception {
        assertThat(send("PATCH", "/v1/jobs/no-such-job", "{\"epochs\": 2}", TOKEN).statusCode()).isEqualTo(404);
        start("{\"config\": \"" + config("len", 200, 25) + "\", \"job_id\": \"api-len\"}");
        awaitJob("api-len", "a heartbeat past step 3", j -> heartbeatStep(j) >= 3);

        for (String[] bad : new String[][] {
                {"{\"epochs\": 0}", "field 'epochs' must be a whole number from 1 to 1000000, got 0"},
                {"{\"epochs\": 2.5}", "field 'epochs' must be a whole number from 1 to 1000000, got 2.5"},
                {"{\"epochs\": \"2\"}", "field 'epochs' must be a whole number from 1 to 1000000, got string"},
                {"{}", "field 'epochs' is required"},
                {"{\"epochs\": 2, \"shards\": 2}", "unknown field 'shards' in the request body; allowed: epochs"},
                {"[2]", "the request body must be a JSON object like {\"epochs\": 100}"}}) {
            HttpResponse<String> r = send("PATCH", "/v1/jobs/api-len", bad[0], TOKEN);
            assertThat(r.statusCode()).as(bad[0]).isEqualTo(400);
            assertThat(error(r)).as(bad[0]).isEqualTo(bad[1]);
        }

        HttpResponse<String> longer = send("PATCH", "/v1/jobs/api-len", "{\"epochs\": 2}", TOKEN);
        assertThat(longer.statusCode()).as(longer.body()).isEqualTo(200);
        JsonNode changed = JSON.readTree(longer.body());
        assertThat(changed.path("progress").path("epochs").asInt()).isEqualTo(2);
        assertThat(changed.path("progress").path("total_steps").asLong()).isEqualTo(400);
        assertThat(new org.dinoj.worker.jobs.JobRegistry(checkpoints).find("api-len").orElseThrow().spec().epochs())
                .isEqualTo(2);

        // Once a round ends in the second epoch, one epoch is less than the work done.
        awaitJob("api-len", "a round done past step 200", j -> j.path("progress").path("step").asLong() > 200);
        HttpResponse<String> shorter = send("PATCH", "/v1/jobs/api-len", "{\"epochs\": 1}", TOKEN);
        assertThat(shorter.statusCode()).as(shorter.body()).isEqualTo(400);
        assertThat(error(shorter)).isEqualTo("the job already trained into epoch 2; choose at least 2 epochs, got 1");

        // An update that bypasses dinoj (temporal workflow update, the UI) reaches the registry at the next look.
        io.temporal.serviceclient.WorkflowServiceStubs stubs = org.dinoj.worker.temporal.WorkerBootstrap.connect(runner.target());
        try {
            assertThat(io.temporal.client.WorkflowClient.newInstance(stubs)
                    .newWorkflowStub(org.dinoj.workflows.PretrainWorkflow.class, "api-len").setEpochs(3)).isEqualTo(3);
        } finally {
            stubs.shutdown();
        }
        assertThat(get("/v1/jobs/api-len").path("progress").path("total_steps").asLong()).isEqualTo(600);
        assertThat(new org.dinoj.worker.jobs.JobRegistry(checkpoints).find("api-len").orElseThrow().spec().epochs())
                .isEqualTo(3);

        JsonNode done = awaitJob("api-len", "completed", j -> j.path("status").asText().equals("COMPLETED"));
        assertThat(done.path("latest_checkpoint").path("step").asLong()).isEqualTo(600);
        HttpResponse<String> late = send("PATCH", "/v1/jobs/api-len", "{\"epochs\": 3}", TOKEN);
        assertThat(late.statusCode()).isEqualTo(409);
        assertThat(error(late)).contains("already ended (completed)");
    }

    @Test
    void aJobCancelledInTemporalItselfShowsCancelledAtTheCheckpointItsRoundWrote() throws Exception {
        // One round of 400 steps, checkpointed only at its end: any other checkpoint is the cancel's.
        Path file = data.resolve("temporal-cancel.yaml");
        Files.writeString(file, "optim: {epochs: 1}\ntrain: {OFFICIAL_EPOCH_LENGTH: 400}\n"
                + "job: {steps_per_round: 400, checkpoint_every_steps: 400, eval_every_epochs: 0, heartbeat_timeout_seconds: 2}\n"
                + "toy: {dim: 4, step_millis: 40}\n");
        start("{\"config\": \"" + file + "\", \"job_id\": \"api-temporal-cancel\"}");
        long before = heartbeatStep(awaitJob("api-temporal-cancel", "a heartbeat past step 3", j -> heartbeatStep(j) >= 3));

        // What the Temporal UI's "Request Cancellation" sends.
        io.temporal.serviceclient.WorkflowServiceStubs stubs = org.dinoj.worker.temporal.WorkerBootstrap.connect(runner.target());
        try {
            io.temporal.client.WorkflowClient.newInstance(stubs).newUntypedWorkflowStub("api-temporal-cancel").cancel();
        } finally {
            stubs.shutdown();
        }
        JsonNode cancelled = awaitJob("api-temporal-cancel", "cancelled", j -> j.path("status").asText().equals("CANCELLED"));
        long step = cancelled.path("latest_checkpoint").path("step").asLong();
        assertThat(step).as(cancelled.toString()).isGreaterThanOrEqualTo(before).isLessThan(400);
        assertThat(new CheckpointStore(checkpoints.resolve("api-temporal-cancel/shard-0"))
                .latestVerified().orElseThrow().step()).isEqualTo(step);
        JsonNode again = get("/v1/jobs/api-temporal-cancel");
        assertThat(again.path("service_state").asText()).isEqualTo("CANCELLED");
        assertThat(again.path("status").asText()).isEqualTo("CANCELLED");
        assertThat(again.path("latest_checkpoint").path("step").asLong()).isEqualTo(step);
        HttpResponse<String> late = post("/v1/jobs/api-temporal-cancel/resume", null);
        assertThat(late.statusCode()).isEqualTo(409);
        assertThat(error(late)).contains("already ended (cancelled)");

        // 'dinoj jobs status' reads the closed workflow without a result: the checkpoint from disk.
        org.dinoj.tests.CliOutput printed = org.dinoj.tests.CliOutput.dinoj("jobs", "status", "api-temporal-cancel",
                "--temporal", runner.target(), "--checkpoint-dir", checkpoints.toString());
        String status = printed.out();
        assertThat(printed.code()).as(status).isZero();
        assertThat(status).startsWith("api-temporal-cancel: cancelled at step " + step + "\n")
                .contains("final checkpoint: step " + step + "  " + checkpoints.resolve("api-temporal-cancel/shard-0")
                        .resolve(String.format("step-%010d", step)).toUri());
    }

    @Test
    void aJobTerminatedInTemporalShowsAsFailedWithTheReasonTypedAndRetryFinishesItFromItsCheckpoint() throws Exception {
        start("{\"config\": \"" + config("terminate", 200, 40) + "\", \"job_id\": \"api-terminate\"}");
        awaitJob("api-terminate", "a checkpoint", j -> heartbeatStep(j) >= 12);
        HttpResponse<String> early = post("/v1/jobs/api-terminate/retry", null);
        assertThat(early.statusCode()).isEqualTo(409);
        assertThat(error(early)).isEqualTo("job 'api-terminate' has not failed (it is running); only a failed job can be retried");

        // What the Temporal UI's "Terminate" sends, with the reason typed there.
        io.temporal.serviceclient.WorkflowServiceStubs stubs = org.dinoj.worker.temporal.WorkerBootstrap.connect(runner.target());
        try {
            io.temporal.client.WorkflowClient.newInstance(stubs).newUntypedWorkflowStub("api-terminate")
                    .terminate("stuck on a bad mount");
        } finally {
            stubs.shutdown();
        }
        // At once: the terminated run's round stops only at its next heartbeat (2 s here) and may still write, so a
        // pipeline is told to come back after the heartbeat timeout + 5 s instead of being held that long.
        HttpResponse<String> tooSoon = post("/v1/jobs/api-terminate/retry", null);
        assertThat(tooSoon.statusCode()).as(tooSoon.body()).isEqualTo(409);
        long retryAfter = Long.parseLong(tooSoon.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 7L);
        assertThat(error(tooSoon)).isEqualTo("the round of the terminated run of job 'api-terminate' stops at its next"
                + " heartbeat and may still write a checkpoint: retry in " + retryAfter + " s");
        JsonNode failed = awaitJob("api-terminate", "failed", j -> j.path("status").asText().equals("FAILED"));
        assertThat(failed.path("service_state").asText()).isEqualTo("FAILED");
        assertThat(failed.path("message").asText()).isEqualTo("failed: terminated in Temporal: stuck on a bad mount");
        // Where a retry continues: a checkpoint of the terminated run, verified on disk.
        long stoppedAt = failed.path("latest_checkpoint").path("step").asLong();
        assertThat(stoppedAt).as(failed.toString()).isPositive();
        CheckpointStore store = new CheckpointStore(checkpoints.resolve("api-terminate/shard-0"));
        store.verify(stoppedAt);

        // As on a cluster whose workers run elsewhere: 'dinoj jobs retry' (the API's retry is the diverged test's).
        org.dinoj.tests.CliOutput retried = org.dinoj.tests.CliOutput.dinoj("jobs", "retry", "api-terminate",
                "--temporal", runner.target(), "--checkpoint-dir", checkpoints.toString());
        assertThat(retried.code()).as(retried.out()).isZero();
        java.util.regex.Matcher line = java.util.regex.Pattern.compile("retrying api-terminate from step (\\d+)  (\\S+)\n")
                .matcher(retried.out());
        assertThat(line.matches()).as(retried.out()).isTrue();
        long from = Long.parseLong(line.group(1));
        // The terminated round stops at its next heartbeat with one more checkpoint: the retry takes the newest.
        assertThat(from).isGreaterThanOrEqualTo(stoppedAt).isLessThan(200);
        String checkpoint = checkpoints.resolve("api-terminate/shard-0").resolve(CheckpointStore.directoryName(from))
                .toUri().toString();
        assertThat(line.group(2)).isEqualTo(checkpoint);
        assertThat(runner.jobs().registry().find("api-terminate").orElseThrow().message()).isEqualTo("retried from step "
                + from + " (" + checkpoint + ") after it failed: terminated in Temporal: stuck on a bad mount");

        JsonNode done = awaitJob("api-terminate", "completed", j -> j.path("status").asText().equals("COMPLETED"));
        assertThat(done.path("latest_checkpoint").path("step").asLong()).isEqualTo(200);
        assertThat(store.latestVerified().orElseThrow().step()).isEqualTo(200);
        HttpResponse<String> late = post("/v1/jobs/api-terminate/retry", null);
        assertThat(late.statusCode()).isEqualTo(409);
        assertThat(error(late)).isEqualTo("job 'api-terminate' has not failed (it is completed); only a failed job can be retried");
    }

    @Test
    void aDivergedJobIsRetriedWithALowerLearningRateAndCompletes() throws Exception {
        // Step 12 is non-finite until optim.base_lr x the halvings' scale is at most 0.001: four halvings
        // of 0.1 do not get there, so the job fails as diverged.
        Path file = data.resolve("diverge.yaml");
        Files.writeString(file, "optim: {epochs: 1, base_lr: 0.1}\ntrain: {OFFICIAL_EPOCH_LENGTH: 40}\n"
                + "job: {steps_per_round: 40, checkpoint_every_steps: 5, eval_every_epochs: 0, heartbeat_timeout_seconds: 2}\n"
                + "toy: {dim: 4, step_millis: 5, nan_at_step: 12, nan_repeats: 1000, nan_clears_at_base_lr: 0.001}\n");
        start("{\"config\": \"" + file + "\", \"job_id\": \"api-diverge\"}");
        JsonNode failed = awaitJob("api-diverge", "failed", j -> j.path("status").asText().equals("FAILED"));
        assertThat(failed.path("message").asText()).as(failed.toString())
                .startsWith("failed: job api-diverge shard 0 keeps producing non-finite steps after 4 halvings")
                .endsWith("retry the job with a lower learning rate ('dinoj pretrain --job-id api-diverge --retry --set"
                        + " optim.base_lr=...')");
        assertThat(failed.path("latest_checkpoint").path("step").asLong()).isEqualTo(10);

        // Keys that shape the checkpoints or the length are refused, and nothing changes.
        for (String key : List.of("student.depth", "optim.epochs", "train.batch_size_per_gpu")) {
            HttpResponse<String> refused = post("/v1/jobs/api-diverge/retry", "{\"overrides\": {\"" + key + "\": 4}}");
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
            assertThat(error(refused)).startsWith("a retry can change only keys of the optim, teacher and compute sections")
                    .contains("not '" + key + "=4'");
        }
        for (String[] bad : new String[][]{{"{\"base_lr\": 0.001}", "unknown field 'base_lr'"},
                {"{\"overrides\": {\"optim.base_lrr\": 0.001}}", "base_lrr"},
                {"{\"overrides\": {\"optim.base_lr\": \"fast\"}}", "optim.base_lr"},
                {"{\"overrides\": {\"optim.base_lr\": {\"a\": 1}}}", "must be a string, number, boolean"},
                {"{\"overrides\": {\"compute.cache_dir\": \"/tmp\"}}", "would name a path"},
                // Valid alone, but not with the job's one epoch: the trainer's check refuses it with the job's keys.
                {"{\"overrides\": {\"optim.warmup_epochs\": 5}}", "optim.warmup_epochs is 5; it must lie in [0, optim.epochs = 1]"}}) {
            HttpResponse<String> refused = post("/v1/jobs/api-diverge/retry", bad[0]);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
            assertThat(error(refused)).contains(bad[1]);
        }
        assertThat(get("/v1/jobs/api-diverge").path("status").asText()).isEqualTo("FAILED");

        // Two retries at once (a pipeline and a person, each with its own rate): one run starts, the other is refused,
        // and the registry records the winner's configuration.
        String[] rates = {"0.001", "0.002"}; // 0.002 completes too, after one halving
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> both = new java.util.ArrayList<>();
        for (String rate : rates) {
            both.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                    return post("/v1/jobs/api-diverge/retry", "{\"overrides\": {\"optim.base_lr\": " + rate + "}}");
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }));
        }
        go.countDown();
        HttpResponse<String> first = both.get(0).get(60, java.util.concurrent.TimeUnit.SECONDS);
        HttpResponse<String> second = both.get(1).get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(List.of(first.statusCode(), second.statusCode())).as(first.body() + "\n" + second.body())
                .containsExactlyInAnyOrder(202, 409);
        HttpResponse<String> retried = first.statusCode() == 202 ? first : second;
        HttpResponse<String> lost = first.statusCode() == 202 ? second : first;
        String rate = rates[retried == first ? 0 : 1];
        assertThat(error(lost)).isIn("job 'api-diverge' was started again meanwhile (by another retry)",
                "job 'api-diverge' has not failed (it is running); only a failed job can be retried");
        assertThat(JSON.readTree(retried.body()).path("message").asText())
                .startsWith("retried from step 10 (").contains(") with optim.base_lr=" + rate + " after it failed: job api-diverge");
        JsonNode done = awaitJob("api-diverge", "completed", j -> j.path("status").asText().equals("COMPLETED"));
        assertThat(done.path("latest_checkpoint").path("step").asLong()).isEqualTo(40);
        assertThat(runner.jobs().registry().find("api-diverge").orElseThrow().spec().config()).contains("base_lr: " + rate);
    }

    @Test
    void aJobWhoseWorkflowFailsShowsAsFailedWithTheReason() throws Exception {
        // A time budget sizes DINOv2 jobs: the worker refuses to time the toy configuration, and the
        // job fails at once with its sentence instead of training at a length nobody chose.
        String config = config("budget", 10, 0);
        String refusal = org.assertj.core.api.Assertions.catchThrowableOfType(IllegalArgumentException.class,
                () -> org.dinoj.model.train.config.DinoV2Config.parse(
                        org.dinoj.model.config.ConfigLoader.resolve(config, List.of()))).getMessage();
        start("{\"config\": \"" + config + "\", \"job_id\": \"api-budget\", \"time_budget_minutes\": 30}");
        JsonNode failed = awaitJob("api-budget", "failed", j -> j.path("status").asText().equals("FAILED"));
        assertThat(failed.path("service_state").asText()).isEqualTo("FAILED");
        assertThat(failed.path("message").asText()).isEqualTo("failed: " + refusal);
        assertThat(get("/v1/jobs").path("jobs").findValuesAsText("status")).contains("FAILED");
    }

    @Test
    void retrainingStartsFromTheWeightsOfAFinishedJobAndMetricsAreScraped() throws Exception {
        String config = config("retrain", 20, 0);
        start("{\"config\": \"" + config + "\", \"job_id\": \"api-base\"}");
        JsonNode base = awaitJob("api-base", "completed", j -> j.path("status").asText().equals("COMPLETED"));
        String baseUri = base.path("latest_checkpoint").path("uri").asText();
        assertThat(base.path("latest_checkpoint").path("step").asLong()).isEqualTo(20);

        // A model of other sizes could not load the base's weights: refused before anything is recorded.
        HttpResponse<String> otherModel = post("/v1/jobs", "{\"config\": \"" + config + "\", \"job_id\": \"api-retrain-wide\","
                + " \"base_checkpoint\": \"" + baseUri + "\", \"overrides\": {\"toy.dim\": 6}}");
        assertThat(otherModel.statusCode()).isEqualTo(400);
        assertThat(error(otherModel)).startsWith("the weights of ").contains("(toy.dim 4 there, 6 here)");
        assertThat(new org.dinoj.worker.jobs.JobRegistry(checkpoints).find("api-retrain-wide")).isEmpty();

        JsonNode retrain = start("{\"config\": \"" + config + "\", \"job_id\": \"api-retrain\", \"base_checkpoint\": \""
                + baseUri + "\", \"dataset\": \"synthetic:64\"}");
        assertThat(retrain.path("base_checkpoint").path("uri").asText()).isEqualTo(baseUri);
        JsonNode done = awaitJob("api-retrain", "completed", j -> j.path("status").asText().equals("COMPLETED"));
        CheckpointRef last = JSON.treeToValue(done.path("latest_checkpoint"), CheckpointRef.class);
        assertThat(last.step()).isEqualTo(20);
        assertThat(last.uri()).contains("/api-retrain/shard-0/");

        // 20 steps from the base's weights with fresh optimizer state (the toy is deterministic: exact).
        String resolved = Files.readString(Path.of(config));
        try (TrainingSession expected = new ToyTrainingSessionFactory().openFromWeights(resolved, 0, 1,
                CheckpointLayout.directory(JSON.treeToValue(base.path("latest_checkpoint"), CheckpointRef.class)))) {
            for (int i = 0; i < 20; i++) {
                expected.trainStep();
            }
            try (SafeTensorsFile f = SafeTensors.read(CheckpointLayout.directory(last).resolve("model.safetensors"))) {
                assertThat(f.tensor("student.w").toDoubleArray()).containsExactly(((ToyTrainingSession) expected).student());
            }
        }

        // Weights handed over under another name inside a data root (as 'dinoj import --out' writes them),
        // without a config: the checkpoint's config.yaml is the job's.
        Path copy = org.dinoj.tests.Directories.copyFlat(CheckpointLayout.directory(JSON.treeToValue(
                base.path("latest_checkpoint"), CheckpointRef.class)), data.resolve("handed-over"));
        JsonNode fromCopy = start("{\"job_id\": \"api-retrain-copy\", \"base_checkpoint\": \"" + copy + "\"}");
        assertThat(fromCopy.path("base_checkpoint").path("uri").asText()).isEqualTo(copy.toUri().toString());
        assertThat(new org.dinoj.worker.jobs.JobRegistry(checkpoints).find("api-retrain-copy").orElseThrow().spec().config())
                .isEqualTo(ConfigLoader.resolve(copy.resolve("config.yaml").toString(), List.of()));
        assertThat(awaitJob("api-retrain-copy", "completed", j -> j.path("status").asText().equals("COMPLETED"))
                .path("latest_checkpoint").path("step").asLong()).isEqualTo(20);

        String worker = scrape("http://127.0.0.1:" + workerMetricsPort + "/metrics");
        assertThat(worker).containsPattern("(?m)^dinoj_images_per_second\\{job=\"api-retrain\",shard=\"0\"} [0-9.eE+]+$")
                .containsPattern("(?m)^dinoj_loss\\{job=\"api-retrain\",shard=\"0\"} [0-9.eE+-]+$")
                .containsPattern("(?m)^dinoj_step_seconds_count\\{job=\"api-retrain\",shard=\"0\"} 20(\\.0)?$")
                .containsPattern("(?m)^temporal_\\w+");
        HttpResponse<String> apiMetrics = send("GET", "/metrics", null, TOKEN);
        assertThat(apiMetrics.statusCode()).isEqualTo(200);
        assertThat(apiMetrics.body()).containsPattern("(?m)^dinoj_api_requests_total\\{status=\"201\"} ")
                .containsPattern("(?m)^temporal_\\w+");
    }

    private String scrape(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }
}
