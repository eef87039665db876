package org.dinoj.model.metrics;

import java.util.Objects;

/**
 * The process-wide {@link MeterFactory}. A worker process installs its registry once at start-up,
 * before it opens sessions; meters looked up before that keep discarding their values.
 */
public final class Meters {
    private static volatile MeterFactory factory = MeterFactory.NONE;

    private Meters() {
    }

    public static MeterFactory factory() {
        return factory;
    }

    /** Replaces the factory for meters looked up from now on. */
    public static void install(MeterFactory newFactory) {
        factory = Objects.requireNonNull(newFactory, "a meter factory is required (MeterFactory.NONE discards)");
    }
}
