package org.dinoj.worker.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.dinoj.model.metrics.MeterFactory;
import org.dinoj.worker.metrics.PrometheusMetrics;
import org.dinoj.worker.temporal.TemporalErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * dinoj's REST API over HTTP (Javalin on Jetty): the job routes of {@link JobsApi}, {@code /metrics},
 * {@code /healthz} and {@code /openapi.yaml}. Every route but {@code /healthz} needs the bearer token
 * (unless started without one on the loopback interface); bodies are limited to
 * {@value #MAX_BODY_BYTES} bytes; every error is {@code {"error": "one sentence"}}.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    /** Job requests are a few hundred bytes; anything near this is a mistake or an attack. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    /** How much of a refused body is read so that its sender sees the 413 (16 times the limit). */
    private static final long DRAIN_BYTES = 16L * MAX_BODY_BYTES;
    private static final String ERROR_SET = "dinoj.error";
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final Javalin server;

    private ApiServer(Javalin server) {
        this.server = server;
    }

    /**
     * Starts on {@code host:port} (0 picks a free port).
     *
     * @param token the bearer token; empty only for an API on the loopback interface started with --insecure-localhost
     */
    public static ApiServer start(String host, int port, Optional<ApiToken> token, JobsApi jobs, PrometheusMetrics metrics) {
        String openApi = openApiDocument();
        Javalin server = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = MAX_BODY_BYTES;
            // DELETE /v1/jobs/ID is a wrong method on a route that exists, not a missing route.
            config.http.prefer405over404 = true;
            config.jetty.modifyServer(jetty -> jetty.setErrorHandler(new JsonErrorHandler()));
            config.routes.before(ctx -> authorize(ctx, token));
            // No route reads a query parameter: one given would be a filter silently not applied.
            config.routes.before("/v1/*", ApiServer::refuseQueryParameters);
            config.routes.get("/healthz", ctx -> json(ctx, Map.of("status", "ok")));
            config.routes.get("/openapi.yaml", ctx -> ctx.contentType("application/yaml").result(openApi));
            config.routes.get("/metrics", ctx -> ctx.contentType(PrometheusMetrics.CONTENT_TYPE).result(metrics.scrape()));
            config.routes.post("/v1/jobs", ctx -> jobs.create(ctx, jsonBody(ctx)));
            config.routes.get("/v1/jobs", jobs::list);
            config.routes.get("/v1/jobs/{id}", jobs::get);
            config.routes.patch("/v1/jobs/{id}", ctx -> jobs.change(ctx, jsonBody(ctx)));
            for (String action : new String[]{"pause", "resume", "cancel"}) {
                config.routes.post("/v1/jobs/{id}/" + action, ctx -> {
                    refuseBody(ctx, action);
                    jobs.signal(ctx, action);
                });
            }
            config.routes.post("/v1/jobs/{id}/retry", ctx -> jobs.retry(ctx, hasBody(ctx) ? jsonBody(ctx) : null));
            config.routes.exception(ApiException.class, (e, ctx) -> {
                if (e.retryAfterSeconds() > 0) {
                    ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
                }
                error(ctx, e.status(), e.getMessage());
            });
            // Javalin's own: no route for the path, or a method the route does not take.
            config.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), switch (e.getStatus()) {
                case 404 -> noRoute(ctx);
                case 405 -> methodNotAllowed(ctx, e);
                default -> e.getMessage();
            }));
            config.routes.exception(StatusRuntimeException.class, (e, ctx) -> temporalError(ctx, e));
            config.routes.exception(Exception.class, (e, ctx) -> {
                Optional<StatusRuntimeException> grpc = TemporalErrors.grpcCause(e);
                if (grpc.isPresent()) {
                    temporalError(ctx, grpc.get());
                    return;
                }
                log.error("{} {} failed", ctx.method(), ctx.path(), e);
                error(ctx, 500, "the request failed inside dinoj (" + e.getClass().getSimpleName() + "); see the API log");
            });
            // Routes that do not exist, and methods a route does not take: the same JSON errors.
            config.routes.error(404, ctx -> {
                if (ctx.attribute(ERROR_SET) == null) {
                    error(ctx, 404, noRoute(ctx));
                }
            });
            config.routes.after(ctx -> requestCounter(metrics, ctx.status().getCode()).increment(1));
        });
        try {
            server.start(host, port);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot serve the API on " + host + ":" + port + " (" + e.getMessage()
                    + "); choose another --port", e);
        }
        log.info("API on http://{}:{} ({})", host, server.port(), token.isPresent() ? "bearer token required"
                : "NO TOKEN: loopback only, --insecure-localhost");
        return new ApiServer(server);
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }

    private static void authorize(Context ctx, Optional<ApiToken> token) {
        if (token.isEmpty() || ctx.path().equals("/healthz")) {
            return;
        }
        if (!token.get().accepts(ctx.header("Authorization"))) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiException(401, ctx.header("Authorization") == null
                    ? "this route needs 'Authorization: Bearer <token>'"
                    : "the bearer token is not the one this API was started with");
        }
    }

    private static String noRoute(Context ctx) {
        return "no route " + ctx.method() + " " + ctx.path() + "; see /openapi.yaml";
    }

    /** Names the methods the path takes (Javalin lists them in the exception's details), in Allow too. */
    private static String methodNotAllowed(Context ctx, HttpResponseException e) {
        // One entry, the methods already joined ("GET, PATCH"), under a key that depends on the client's Accept.
        String methods = e.getDetails().values().stream().findFirst().orElse("");
        if (!methods.isEmpty()) {
            ctx.header("Allow", methods);
        }
        return ctx.method() + " is not taken by " + ctx.path() + (methods.isEmpty() ? "" : "; it takes " + methods)
                + " (see /openapi.yaml)";
    }

    private static void refuseQueryParameters(Context ctx) {
        if (!ctx.queryParamMap().isEmpty()) {
            throw ApiException.badRequest(ctx.method() + " " + ctx.path() + " takes no query parameters (got "
                    + String.join(", ", new java.util.TreeSet<>(ctx.queryParamMap().keySet())) + ")");
        }
    }

    /** A control request takes no body: one sent would be ignored, so it is refused (an empty object aside). */
    private static void refuseBody(Context ctx, String action) {
        if (hasBody(ctx)) {
            String body = new String(jsonBody(ctx), java.nio.charset.StandardCharsets.UTF_8).replaceAll("\\s", "");
            if (!body.isEmpty() && !body.equals("{}")) {
                throw ApiException.badRequest("POST .../" + action + " takes no request body (or an empty JSON object)");
            }
        }
    }

    /** Whether the request sends a body: a length above 0, or chunks. */
    static boolean hasBody(Context ctx) {
        String length = ctx.header("Content-Length");
        return ctx.header("Transfer-Encoding") != null || length != null && !length.trim().equals("0");
    }

    /** The body of a JSON request, at most {@link #MAX_BODY_BYTES}: 413 beyond, 415 for other content types. */

    static byte[] jsonBody(Context ctx) {
        String type = ctx.contentType();
        // The media type itself, parameters (charset) aside: application/jsonx is not JSON.
        String media = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
        if (!media.equals("application/json")) {
            throw new ApiException(415, "the request body must be JSON; send 'Content-Type: application/json'");
        }
        String encoding = ctx.header("Content-Encoding");
        if (encoding != null && !encoding.isBlank() && !encoding.strip().equalsIgnoreCase("identity")) {
            throw new ApiException(415, "the request body must be sent as it is: Content-Encoding '" + encoding.strip()
                    + "' is not taken");
        }
        String length = ctx.header("Content-Length");
        if (length != null) {
            try {
                long bytes = Long.parseLong(length.trim());
                if (bytes > MAX_BODY_BYTES) {
                    if (bytes <= DRAIN_BYTES) {
                        drain(ctx);
                    }
                    throw new ApiException(413, "the request body has " + length.trim() + " bytes; the limit is "
                            + MAX_BODY_BYTES);
                }
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("the Content-Length header '" + length + "' is not a number");
            }
        }
        try (InputStream in = ctx.bodyInputStream()) {
            // Chunked bodies have no length up front: read one byte past the limit to know.
            byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                drain(in);
                throw new ApiException(413, "the request body is longer than the limit of " + MAX_BODY_BYTES + " bytes");
            }
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the request body", e);
        }
    }

    /**
     * Reads and drops up to {@link #DRAIN_BYTES} of a refused body. A client still sending it then
     * reads the 413 instead of a connection reset mid-write; a larger body gets the reset.
     */
    private static void drain(Context ctx) {
        try (InputStream in = ctx.bodyInputStream()) {
            drain(in);
        } catch (IOException e) {
            // The client went away: nobody reads the answer.
        }
    }

    private static void drain(InputStream in) {
        try {
            byte[] buffer = new byte[8192];
            long left = DRAIN_BYTES;
            int n;
            while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0) {
                left -= n;
            }
        } catch (IOException e) {
            // Too long to drain, or the client went away: the connection closes after the answer.
        }
    }

    static void json(Context ctx, Object value) {
        try {
            ctx.contentType("application/json").result(JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the response as JSON", e);
        }
    }

    private static void error(Context ctx, int status, String message) {
        ctx.attribute(ERROR_SET, true);
        ctx.status(status);
        json(ctx, Map.of("error", message == null || message.isBlank() ? "request failed with status " + status : message));
    }

    private static void temporalError(Context ctx, StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.UNAVAILABLE || e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
            error(ctx, 503, "the Temporal service does not answer (" + e.getStatus().getCode() + "); retry when it is back");
        } else {
            log.error("{} {}: Temporal call failed", ctx.method(), ctx.path(), e);
            error(ctx, 502, "the Temporal service refused the call: " + e.getStatus().getCode()
                    + (e.getStatus().getDescription() != null ? " (" + e.getStatus().getDescription() + ")" : ""));
        }
    }

    private static MeterFactory.Counter requestCounter(PrometheusMetrics metrics, int status) {
        return metrics.meters().counter("dinoj_api_requests", "HTTP requests answered by the API", "status",
                Integer.toString(status));
    }

    private static String openApiDocument() {
        try (InputStream in = ApiServer.class.getResourceAsStream("/openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml is missing from the class path; the build is broken");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
