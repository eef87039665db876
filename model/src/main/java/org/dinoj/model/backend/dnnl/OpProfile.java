package org.dinoj.model.backend.dnnl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Opt-in per-op timing of the dnnl backend ({@code DINOJ_PROFILE=1}, or {@code shapes} per primitive key): for each label (an op kind
 * with oneDNN's implementation name, a primitive creation, or a host loop) the number of calls and
 * their total wall time. Entries are made once (on a primitive's creation or the backend's) and
 * updated in place, so a profiled steady state still allocates nothing.
 */
final class OpProfile {
    /** True when {@code DINOJ_PROFILE} is 1 or shapes. */
    static final boolean ENABLED = "1".equals(System.getenv("DINOJ_PROFILE")) || "shapes".equals(System.getenv("DINOJ_PROFILE"));
    /** {@code DINOJ_PROFILE=shapes}: one line per primitive key (shapes, strides, attributes), not per op kind. */
    static final boolean BY_SHAPE = "shapes".equals(System.getenv("DINOJ_PROFILE"));

    /** Calls and nanoseconds of one label. */
    static final class Entry {
        private final String label;
        private long calls;
        private long nanos;

        private Entry(String label) {
            this.label = label;
        }

        void add(long elapsedNanos) {
            calls++;
            nanos += elapsedNanos;
        }
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /** The entry of {@code label}, made on first use. */
    Entry entry(String label) {
        return entries.computeIfAbsent(label, Entry::new);
    }

    /** Zeroes every entry (e.g. after warm-up steps). */
    void reset() {
        for (Entry e : entries.values()) {
            e.calls = 0;
            e.nanos = 0;
        }
    }

    /** One line per label, longest total first: total ms, share, calls, mean us, label. */
    String report() {
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.removeIf(e -> e.calls == 0);
        sorted.sort((a, b) -> Long.compare(b.nanos, a.nanos));
        long total = 0;
        for (Entry e : sorted) {
            total += e.nanos;
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%10s %6s %9s %10s  %s%n", "total ms", "share", "calls", "mean us", "op"));
        for (Entry e : sorted) {
            sb.append(String.format(Locale.ROOT, "%10.1f %5.1f%% %9d %10.1f  %s%n", e.nanos / 1e6,
                    total == 0 ? 0 : 100.0 * e.nanos / total, e.calls, e.nanos / 1e3 / e.calls, e.label));
        }
        sb.append(String.format(Locale.ROOT, "%10.1f   (all profiled ops)%n", total / 1e6));
        return sb.toString();
    }
}
