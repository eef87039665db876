package org.dinoj.model.backend.dnnl;

import static org.dinoj.bindings.dnnl.dnnl_h.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.dinoj.bindings.dnnl.DnnlStatus;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.nativelib.DnnlLibrary;

/**
 * One CPU engine, one stream, and the host memory the backend owns: argument arrays of cached
 * primitives and the single scratchpad buffer that every primitive shares (user scratchpad mode),
 * grown when a primitive needs more and never shrunk.
 */
final class DnnlRuntime implements AutoCloseable {
    private final HostArena arena = new HostArena();
    private final MemorySegment engine;
    private final MemorySegment stream;
    private MemorySegment scratchpad = MemorySegment.NULL;

    DnnlRuntime() {
        DnnlLibrary.load();
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment cell = tmp.allocate(ValueLayout.ADDRESS);
            DnnlStatus.check(dnnl_engine_create(cell, dnnl_cpu(), 0), "dnnl_engine_create");
            engine = cell.get(ValueLayout.ADDRESS, 0);
            DnnlStatus.check(dnnl_stream_create(cell, engine, dnnl_stream_default_flags()), "dnnl_stream_create");
            stream = cell.get(ValueLayout.ADDRESS, 0);
        }
    }

    MemorySegment engine() {
        return engine;
    }

    MemorySegment stream() {
        return stream;
    }

    /** Host bytes owned by the backend (counted by {@link HostArena}). */
    MemorySegment allocate(long bytes) {
        return arena.allocateBytes(bytes);
    }

    /** The shared scratchpad, at least {@code bytes} long. */
    MemorySegment scratchpad(long bytes) {
        if (scratchpad.byteSize() < bytes) {
            // Grow geometrically so a sequence of slightly larger primitives allocates rarely.
            scratchpad = arena.allocateBytes(Math.max(bytes, scratchpad.byteSize() * 3 / 2));
        }
        return scratchpad;
    }

    @Override
    public void close() {
        dnnl_stream_destroy(stream);
        dnnl_engine_destroy(engine);
        arena.close();
    }
}
