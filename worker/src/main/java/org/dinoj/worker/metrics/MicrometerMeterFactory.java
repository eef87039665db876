package org.dinoj.worker.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.dinoj.model.metrics.MeterFactory;

/**
 * dinoj's metrics facade on a Micrometer registry. Gauges hold their value here (a double in an
 * {@link AtomicLong}), strongly referenced, so the registry never loses one to garbage collection;
 * asking twice for the same name and tags returns the same gauge. (Micrometer's meter types are
 * written out in full: the facade's nested interfaces of the same names shadow them here.)
 */
public final class MicrometerMeterFactory implements MeterFactory {
    private final MeterRegistry registry;
    private final Map<GaugeKey, MeterFactory.Gauge> gauges = new ConcurrentHashMap<>();

    private record GaugeKey(String name, List<String> tags) {
        boolean tagged(String key, String value) {
            for (int i = 0; i + 1 < tags.size(); i += 2) {
                if (tags.get(i).equals(key) && tags.get(i + 1).equals(value)) {
                    return true;
                }
            }
            return false;
        }
    }

    public MicrometerMeterFactory(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public MeterFactory.Gauge gauge(String name, String description, String... tags) {
        return gauges.computeIfAbsent(new GaugeKey(name, List.of(tags)), key -> {
            AtomicLong bits = new AtomicLong(Double.doubleToRawLongBits(Double.NaN));
            io.micrometer.core.instrument.Gauge.builder(name, bits, b -> Double.longBitsToDouble(b.get())).description(description)
                    .tags(Tags.of(tags)).strongReference(true).register(registry);
            return value -> bits.set(Double.doubleToRawLongBits(value));
        });
    }

    @Override
    public MeterFactory.Timer timer(String name, String description, String... tags) {
        io.micrometer.core.instrument.Timer timer = io.micrometer.core.instrument.Timer.builder(name).description(description).tags(Tags.of(tags)).register(registry);
        return nanos -> timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public MeterFactory.Summary summary(String name, String baseUnit, String description, String... tags) {
        DistributionSummary summary = DistributionSummary.builder(name).baseUnit(baseUnit).description(description)
                .tags(Tags.of(tags)).register(registry);
        return summary::record;
    }

    @Override
    public MeterFactory.Counter counter(String name, String description, String... tags) {
        io.micrometer.core.instrument.Counter counter = io.micrometer.core.instrument.Counter.builder(name).description(description).tags(Tags.of(tags)).register(registry);
        return counter::increment;
    }

    @Override
    public void forget(String key, String value) {
        gauges.keySet().removeIf(g -> g.tagged(key, value));
        for (Meter meter : List.copyOf(registry.getMeters())) {
            if (value.equals(meter.getId().getTag(key))) {
                registry.remove(meter);
            }
        }
    }
}
