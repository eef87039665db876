package org.dinoj.model.metrics;

/**
 * Where model code reports measurements, without depending on a metrics library: the worker
 * installs one backed by Micrometer (see {@link Meters}); without it every meter discards its
 * values. A meter is looked up once and kept; recording a value then allocates nothing, so meters
 * may sit on a per-step path.
 *
 * <p>Names follow Prometheus conventions (snake_case, base units in the name, e.g.
 * {@code dinoj_step_seconds}); tags are given as alternating keys and values.
 */
public interface MeterFactory {

    /** A value that goes up and down; the last one set is what a scrape sees. */
    Gauge gauge(String name, String description, String... tags);

    /** Durations, in nanoseconds when recorded. */
    Timer timer(String name, String description, String... tags);

    /** Sizes and other amounts: count, sum and maximum of the recorded values. */
    Summary summary(String name, String baseUnit, String description, String... tags);

    /** A monotonically growing total. */
    Counter counter(String name, String description, String... tags);

    /**
     * Removes every meter tagged {@code key=value} (e.g. a job's meters once the worker has moved on):
     * asked for again, a meter starts afresh.
     */
    default void forget(String key, String value) {
    }

    interface Gauge {
        void set(double value);
    }

    interface Timer {
        void recordNanos(long nanos);
    }

    interface Summary {
        void record(double amount);
    }

    interface Counter {
        void increment(double amount);
    }

    /** Discards everything: the default until a worker installs a real factory. */
    MeterFactory NONE = new MeterFactory() {
        private static final Gauge GAUGE = value -> { };
        private static final Timer TIMER = nanos -> { };
        private static final Summary SUMMARY = amount -> { };
        private static final Counter COUNTER = amount -> { };

        @Override
        public Gauge gauge(String name, String description, String... tags) {
            return GAUGE;
        }

        @Override
        public Timer timer(String name, String description, String... tags) {
            return TIMER;
        }

        @Override
        public Summary summary(String name, String baseUnit, String description, String... tags) {
            return SUMMARY;
        }

        @Override
        public Counter counter(String name, String description, String... tags) {
            return COUNTER;
        }
    };
}
