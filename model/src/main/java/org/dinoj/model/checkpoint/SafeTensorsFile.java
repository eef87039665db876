package org.dinoj.model.checkpoint;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Tensor;

/**
 * A validated, memory-mapped safetensors file. Tensors are read-only views of the mapping and
 * are valid until {@link #close()}; copy what must outlive it.
 */
public final class SafeTensorsFile implements AutoCloseable {
    private final Path file;
    private final Map<String, SafeTensorsEntry> entries;
    private final Map<String, String> metadata;
    private final MemorySegment data;
    private final Arena arena;

    SafeTensorsFile(Path file, Map<String, SafeTensorsEntry> entries, Map<String, String> metadata, MemorySegment data,
                    Arena arena) {
        this.file = file;
        this.entries = Map.copyOf(entries);
        this.metadata = Map.copyOf(metadata);
        this.data = data;
        this.arena = arena;
    }

    public Set<String> names() {
        return entries.keySet();
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public SafeTensorsEntry entry(String name) {
        SafeTensorsEntry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException(file + " has no tensor named '" + name + "'");
        }
        return e;
    }

    /** The tensor {@code name} as a view of the file (F32, BF16 or F64). */
    public Tensor tensor(String name) {
        SafeTensorsEntry e = entry(name);
        DType dtype = SafeTensors.dinojType(e.dtype());
        if (dtype == null) {
            throw new IllegalArgumentException(file + ": tensor '" + name + "' has dtype " + e.dtype()
                    + ", which dinoj does not read (F32, BF16 and F64 only)");
        }
        MemorySegment bytes = e.byteSize() == 0 ? MemorySegment.NULL : data.asSlice(e.begin(), e.byteSize());
        return Tensor.of(bytes, dtype, e.shape());
    }

    @Override
    public void close() {
        arena.close();
    }
}
