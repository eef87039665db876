package org.dinoj.model.backend.dnnl;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Primitives by {@link PrimitiveKey}, least recently used evicted (and destroyed) beyond
 * {@code capacity}. Counts hits and misses so tests can prove that steady-state calls reuse them.
 */
final class PrimitiveCache implements AutoCloseable {
    private final LinkedHashMap<PrimitiveKey, DnnlPrimitive> entries;
    private final OpProfile profile;
    private long hits;
    private long misses;
    /** When the last miss was found: its creation time is measured up to {@link #put}. */
    private long missStart;

    /** profile: where creations and executions are timed, or null. */
    PrimitiveCache(int capacity, OpProfile profile) {
        this.profile = profile;
        this.entries = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<PrimitiveKey, DnnlPrimitive> eldest) {
                if (size() > capacity) {
                    eldest.getValue().close();
                    return true;
                }
                return false;
            }
        };
    }

    /** The primitive cached under {@code probe}, or null (a miss: create it and {@link #put} it). */
    DnnlPrimitive find(PrimitiveKey probe) {
        DnnlPrimitive primitive = entries.get(probe);
        if (primitive != null) {
            hits++;
        } else {
            misses++;
            if (profile != null) {
                missStart = System.nanoTime();
            }
        }
        return primitive;
    }

    /** Caches {@code primitive} under a copy of {@code probe}. */
    DnnlPrimitive put(PrimitiveKey probe, DnnlPrimitive primitive) {
        if (profile != null) {
            String op = probe.op().name();
            profile.entry("create " + op).add(System.nanoTime() - missStart);
            primitive.profileInto(profile.entry(op + (OpProfile.BY_SHAPE ? " " + probe : "") + " [" + primitive.implementation() + "]"));
        }
        entries.put(probe.copy(), primitive);
        return primitive;
    }

    long hits() {
        return hits;
    }

    long misses() {
        return misses;
    }

    int size() {
        return entries.size();
    }

    @Override
    public void close() {
        for (DnnlPrimitive p : entries.values()) {
            p.close();
        }
        entries.clear();
    }
}
