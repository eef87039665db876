// Generated in the shape of jextract (see bindings/jextract/regenerate.sh); edit the argument file, not this class.

package org.dinoj.bindings.dnnl;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout.OfInt;
import java.util.function.Consumer;

/**
 * {@snippet lang=c :
 * typedef struct {
 *     int major;
 *     int minor;
 *     int patch;
 *     const char *hash;
 *     unsigned int cpu_runtime;
 *     unsigned int gpu_runtime;
 * } dnnl_version_t
 * }
 */
public class dnnl_version_t {

    dnnl_version_t() {
        // Should not be called directly
    }

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
        dnnl_h.C_INT.withName("major"),
        dnnl_h.C_INT.withName("minor"),
        dnnl_h.C_INT.withName("patch"),
        MemoryLayout.paddingLayout(4),
        dnnl_h.C_POINTER.withName("hash"),
        dnnl_h.C_INT.withName("cpu_runtime"),
        dnnl_h.C_INT.withName("gpu_runtime")
    ).withName("$anon$231:9");

    /** The layout of this struct. */
    public static final GroupLayout layout() {
        return $LAYOUT;
    }

    private static final OfInt major$LAYOUT = (OfInt) $LAYOUT.select(groupElement("major"));

    /** Layout for field: {@snippet lang=c : int major } */
    public static final OfInt major$layout() {
        return major$LAYOUT;
    }

    private static final long major$OFFSET = $LAYOUT.byteOffset(groupElement("major"));

    /** Offset for field: {@snippet lang=c : int major } */
    public static final long major$offset() {
        return major$OFFSET;
    }

    /** Getter for field: {@snippet lang=c : int major } */
    public static int major(MemorySegment struct) {
        return struct.get(major$LAYOUT, major$OFFSET);
    }

    /** Setter for field: {@snippet lang=c : int major } */
    public static void major(MemorySegment struct, int fieldValue) {
        struct.set(major$LAYOUT, major$OFFSET, fieldValue);
    }

    private static final OfInt minor$LAYOUT = (OfInt) $LAYOUT.select(groupElement("minor"));

    /** Layout for field: {@snippet lang=c : int minor } */
    public static final OfInt minor$layout() {
        return minor$LAYOUT;
    }

    private static final long minor$OFFSET = $LAYOUT.byteOffset(groupElement("minor"));

    /** Offset for field: {@snippet lang=c : int minor } */
    public static final long minor$offset() {
        return minor$OFFSET;
    }

    /** Getter for field: {@snippet lang=c : int minor } */
    public static int minor(MemorySegment struct) {
        return struct.get(minor$LAYOUT, minor$OFFSET);
    }

    /** Setter for field: {@snippet lang=c : int minor } */
    public static void minor(MemorySegment struct, int fieldValue) {
        struct.set(minor$LAYOUT, minor$OFFSET, fieldValue);
    }

    private static final OfInt patch$LAYOUT = (OfInt) $LAYOUT.select(groupElement("patch"));

    /** Layout for field: {@snippet lang=c : int patch } */
    public static final OfInt patch$layout() {
        return patch$LAYOUT;
    }

    private static final long patch$OFFSET = $LAYOUT.byteOffset(groupElement("patch"));

    /** Offset for field: {@snippet lang=c : int patch } */
    public static final long patch$offset() {
        return patch$OFFSET;
    }

    /** Getter for field: {@snippet lang=c : int patch } */
    public static int patch(MemorySegment struct) {
        return struct.get(patch$LAYOUT, patch$OFFSET);
    }

    /** Setter for field: {@snippet lang=c : int patch } */
    public static void patch(MemorySegment struct, int fieldValue) {
        struct.set(patch$LAYOUT, patch$OFFSET, fieldValue);
    }

    private static final AddressLayout hash$LAYOUT = (AddressLayout) $LAYOUT.select(groupElement("hash"));

    /** Layout for field: {@snippet lang=c : const char *hash } */
    public static final AddressLayout hash$layout() {
        return hash$LAYOUT;
    }

    private static final long hash$OFFSET = $LAYOUT.byteOffset(groupElement("hash"));

    /** Offset for field: {@snippet lang=c : const char *hash } */
    public static final long hash$offset() {
        return hash$OFFSET;
    }

    /** Getter for field: {@snippet lang=c : const char *hash } */
    public static MemorySegment hash(MemorySegment struct) {
        return struct.get(hash$LAYOUT, hash$OFFSET);
    }

    /** Setter for field: {@snippet lang=c : const char *hash } */
    public static void hash(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(hash$LAYOUT, hash$OFFSET, fieldValue);
    }

    private static final OfInt cpu_runtime$LAYOUT = (OfInt) $LAYOUT.select(groupElement("cpu_runtime"));

    /** Layout for field: {@snippet lang=c : unsigned int cpu_runtime } */
    public static final OfInt cpu_runtime$layout() {
        return cpu_runtime$LAYOUT;
    }

    private static final long cpu_runtime$OFFSET = $LAYOUT.byteOffset(groupElement("cpu_runtime"));

    /** Offset for field: {@snippet lang=c : unsigned int cpu_runtime } */
    public static final long cpu_runtime$offset() {
        return cpu_runtime$OFFSET;
    }

    /** Getter for field: {@snippet lang=c : unsigned int cpu_runtime } */
    public static int cpu_runtime(MemorySegment struct) {
        return struct.get(cpu_runtime$LAYOUT, cpu_runtime$OFFSET);
    }

    /** Setter for field: {@snippet lang=c : unsigned int cpu_runtime } */
    public static void cpu_runtime(MemorySegment struct, int fieldValue) {
        struct.set(cpu_runtime$LAYOUT, cpu_runtime$OFFSET, fieldValue);
    }

    private static final OfInt gpu_runtime$LAYOUT = (OfInt) $LAYOUT.select(groupElement("gpu_runtime"));

    /** Layout for field: {@snippet lang=c : unsigned int gpu_runtime } */
    public static final OfInt gpu_runtime$layout() {
        return gpu_runtime$LAYOUT;
    }

    private static final long gpu_runtime$OFFSET = $LAYOUT.byteOffset(groupElement("gpu_runtime"));

    /** Offset for field: {@snippet lang=c : unsigned int gpu_runtime } */
    public static final long gpu_runtime$offset() {
        return gpu_runtime$OFFSET;
    }

    /** Getter for field: {@snippet lang=c : unsigned int gpu_runtime } */
    public static int gpu_runtime(MemorySegment struct) {
        return struct.get(gpu_runtime$LAYOUT, gpu_runtime$OFFSET);
    }

    /** Setter for field: {@snippet lang=c : unsigned int gpu_runtime } */
    public static void gpu_runtime(MemorySegment struct, int fieldValue) {
        struct.set(gpu_runtime$LAYOUT, gpu_runtime$OFFSET, fieldValue);
    }

    /** Obtains a slice of {@code arrayParam} which selects the array element at {@code index}. */
    public static MemorySegment asSlice(MemorySegment array, long index) {
        return array.asSlice(layout().byteSize() * index);
    }

    /** The size (in bytes) of this struct. */
    public static long sizeof() {
        return layout().byteSize();
    }

    /** Allocate a segment of size {@code layout().byteSize()} using {@code allocator}. */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate(layout());
    }

    /** Allocate an array of size {@code elementCount} using {@code allocator}. */
    public static MemorySegment allocateArray(long elementCount, SegmentAllocator allocator) {
        return allocator.allocate(MemoryLayout.sequenceLayout(elementCount, layout()));
    }

    /** Reinterprets {@code addr} using target {@code arena} and {@code cleanupAction} (if any). */
    public static MemorySegment reinterpret(MemorySegment addr, Arena arena, Consumer<MemorySegment> cleanup) {
        return reinterpret(addr, 1, arena, cleanup);
    }

    /** Reinterprets {@code addr} as an array of {@code elementCount} structs. */
    public static MemorySegment reinterpret(MemorySegment addr, long elementCount, Arena arena, Consumer<MemorySegment> cleanup) {
        return addr.reinterpret(layout().byteSize() * elementCount, arena, cleanup);
    }
}
