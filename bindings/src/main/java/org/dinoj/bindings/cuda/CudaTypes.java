package org.dinoj.bindings.cuda;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;

/** The C type layouts the CUDA bindings use (x86-64 Linux, LP64), named as jextract names them. */
public final class CudaTypes {
    private CudaTypes() {
    }

    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    /** long, size_t, int64_t, uint64_t. */
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfFloat C_FLOAT = ValueLayout.JAVA_FLOAT;
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS
            .withTargetLayout(MemoryLayout.sequenceLayout(java.lang.Long.MAX_VALUE, ValueLayout.JAVA_BYTE));
}
