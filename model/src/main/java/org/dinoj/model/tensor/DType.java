package org.dinoj.model.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Element types a {@link Tensor} can hold. F64 exists for the reference backend alone: finite
 * difference checks need double precision end to end.
 */
public enum DType {
    F32(4),
    BF16(2),
    F64(8);

    private static final ValueLayout.OfFloat F32_LAYOUT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort BF16_LAYOUT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfDouble F64_LAYOUT = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    public int byteSize() {
        return byteSize;
    }

    /** Reads element {@code index} (in elements, not bytes) of {@code segment} as a double. */
    public double get(MemorySegment segment, long index) {
        return switch (this) {
            case F32 -> segment.getAtIndex(F32_LAYOUT, index);
            case BF16 -> bf16ToFloat(segment.getAtIndex(BF16_LAYOUT, index));
            case F64 -> segment.getAtIndex(F64_LAYOUT, index);
        };
    }

    /** Writes {@code value} as element {@code index}, rounding to this type (nearest even). */
    public void set(MemorySegment segment, long index, double value) {
        switch (this) {
            case F32 -> segment.setAtIndex(F32_LAYOUT, index, (float) value);
            case BF16 -> segment.setAtIndex(BF16_LAYOUT, index, floatToBf16((float) value));
            case F64 -> segment.setAtIndex(F64_LAYOUT, index, value);
        }
    }

    /** bf16 is the upper half of an IEEE float: widening is a shift. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Round to nearest, ties to even, as oneDNN and PyTorch do; NaN stays a quiet NaN. */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** Rounds a float to the nearest bf16 value and widens it back. */
    public static float roundToBf16(float value) {
        return bf16ToFloat(floatToBf16(value));
    }
}
