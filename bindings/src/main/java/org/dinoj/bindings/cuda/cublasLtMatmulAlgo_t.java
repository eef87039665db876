package org.dinoj.bindings.cuda;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;

/** {@code typedef struct { uint64_t data[8]; } cublasLtMatmulAlgo_t;} (semi-opaque, 64 bytes). */
public final class cublasLtMatmulAlgo_t {
    private cublasLtMatmulAlgo_t() {
    }

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(8, ValueLayout.JAVA_LONG).withName("data"))
            .withName("cublasLtMatmulAlgo_t");

    public static GroupLayout layout() {
        return $LAYOUT;
    }

    public static long sizeof() {
        return $LAYOUT.byteSize();
    }
}
