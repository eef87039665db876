package org.dinoj.worker.metrics;

import io.javalin.Javalin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics} of a worker process for Prometheus to scrape, on its own port. It serves
 * counters and gauges only (no job control), so it has no token; it binds the loopback interface
 * unless told otherwise.
 */
public final class MetricsHttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsHttpServer.class);

    private final Javalin server;

    private MetricsHttpServer(Javalin server) {
        this.server = server;
    }

    /** Starts on {@code host:port}; port 0 picks a free one. */
    public static MetricsHttpServer start(PrometheusMetrics metrics, String host, int port) {
        Javalin server = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.routes.get("/metrics", ctx -> ctx.contentType(PrometheusMetrics.CONTENT_TYPE).result(metrics.scrape()));
        });
        try {
            server.start(host, port);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot serve metrics on " + host + ":" + port + " (" + e.getMessage()
                    + "); choose another --metrics-port", e);
        }
        log.info("metrics on http://{}:{}/metrics", host, server.port());
        return new MetricsHttpServer(server);
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
