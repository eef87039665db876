package org.dinoj.bindings.cuda;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code typedef struct { cublasLtMatmulAlgo_t algo; size_t workspaceSize; cublasStatus_t state;
 * float wavesCount; int reserved[4]; } cublasLtMatmulHeuristicResult_t;} (96 bytes).
 */
public final class cublasLtMatmulHeuristicResult_t {
    private cublasLtMatmulHeuristicResult_t() {
    }

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            cublasLtMatmulAlgo_t.layout().withName("algo"),
            ValueLayout.JAVA_LONG.withName("workspaceSize"),
            ValueLayout.JAVA_INT.withName("state"),
            ValueLayout.JAVA_FLOAT.withName("wavesCount"),
            MemoryLayout.sequenceLayout(4, ValueLayout.JAVA_INT).withName("reserved"))
            .withName("cublasLtMatmulHeuristicResult_t");

    private static final long ALGO_OFFSET = $LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("algo"));
    private static final long WORKSPACE_SIZE_OFFSET =
            $LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("workspaceSize"));
    private static final long STATE_OFFSET = $LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("state"));

    public static GroupLayout layout() {
        return $LAYOUT;
    }

    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /** The {@code algo} field of the struct at {@code struct}, as a slice (no copy). */
    public static MemorySegment algo(MemorySegment struct) {
        return struct.asSlice(ALGO_OFFSET, cublasLtMatmulAlgo_t.sizeof());
    }

    public static long workspaceSize(MemorySegment struct) {
        return struct.get(ValueLayout.JAVA_LONG, WORKSPACE_SIZE_OFFSET);
    }

    public static int state(MemorySegment struct) {
        return struct.get(ValueLayout.JAVA_INT, STATE_OFFSET);
    }
}
