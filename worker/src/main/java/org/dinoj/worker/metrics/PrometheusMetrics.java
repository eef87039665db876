package org.dinoj.worker.metrics;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import org.dinoj.model.metrics.MeterFactory;
import org.dinoj.model.metrics.Meters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process's metrics in Prometheus form: dinoj's own meters (through {@link Meters}), the
 * Temporal SDK's (through the tally scope given to the service stubs and workers), and JVM memory
 * and threads. {@link #scrape()} is the text a {@code /metrics} endpoint serves.
 */
public final class PrometheusMetrics implements AutoCloseable {
    /** Prometheus text exposition format 0.0.4, what {@link #scrape()} writes. */
    private static final Logger log = LoggerFactory.getLogger(PrometheusMetrics.class);
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final Scope temporalScope;
    private final MeterFactory meters;

    private PrometheusMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        this.meters = new MicrometerMeterFactory(registry);
        // The SDK's own meters are named temporal_*; tally hands them to Micrometer every second.
        this.temporalScope = new RootScopeBuilder().reporter(new MicrometerClientStatsReporter(registry))
                .reportEvery(com.uber.m3.util.Duration.ofSeconds(1));
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
    }

    /** A registry of its own, not installed as the process-wide facade (the API server, tests). */
    public static PrometheusMetrics create() {
        return new PrometheusMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /** A registry that model code and the activities report to through {@link Meters} (a worker process). */
    public static PrometheusMetrics createAndInstall() {
        PrometheusMetrics metrics = create();
        Meters.install(metrics.meters);
        return metrics;
    }

    /** The scope for {@code WorkflowServiceStubsOptions.setMetricsScope} and the worker factory. */
    public Scope temporalScope() {
        return temporalScope;
    }

    public MeterFactory meters() {
        return meters;
    }

    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        try {
            temporalScope.close();
        } catch (com.uber.m3.tally.ScopeCloseException e) {
            // Only the last report is lost; the registry closes regardless.
            log.debug("closing the Temporal metrics scope: {}", e.toString());
        }
        if (Meters.factory() == meters) {
            Meters.install(MeterFactory.NONE);
        }
        registry.close();
    }
}
