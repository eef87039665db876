package org.dinoj.model.checkpoint;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
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
    /** F16 tensors widened to F32 once each: the file stores halves, dinoj computes in floats. */
    private final Map<String, Tensor> widened = new java.util.concurrent.ConcurrentHashMap<>();
    /** safetensors stores little-endian. */
    private static final ValueLayout.OfShort LITTLE_HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

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

    /**
     * The tensor {@code name} as a view of the file (F32, BF16 or F64), or an F16 tensor widened to
     * F32 (exactly: every half is a float), held until {@link #close()}.
     */
    public Tensor tensor(String name) {
        SafeTensorsEntry e = entry(name);
        MemorySegment bytes = e.byteSize() == 0 ? MemorySegment.NULL : data.asSlice(e.begin(), e.byteSize());
        if (e.dtype().equals("F16")) {
            return widened.computeIfAbsent(name, n -> Tensor.of(halvesToFloats(bytes), DType.F32, e.shape()));
        }
        DType dtype = SafeTensors.dinojType(e.dtype());
        if (dtype == null) {
            throw new IllegalArgumentException(file + ": tensor '" + name + "' has dtype " + e.dtype()
                    + ", which dinoj does not read (F32, F16, BF16 and F64 only)");
        }
        return Tensor.of(bytes, dtype, e.shape());
    }

    private MemorySegment halvesToFloats(MemorySegment halves) {
        long n = halves.byteSize() / 2;
        if (n == 0) {
            return MemorySegment.NULL;
        }
        MemorySegment floats = arena.allocate(ValueLayout.JAVA_FLOAT, n);
        for (long i = 0; i < n; i++) {
            floats.setAtIndex(ValueLayout.JAVA_FLOAT, i, Float.float16ToFloat(halves.getAtIndex(LITTLE_HALF, i)));
        }
        return floats;
    }

    @Override
    public void close() {
        arena.close();
    }
}
