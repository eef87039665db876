package org.dinoj.model.backend.dnnl;

import java.util.Arrays;
import org.dinoj.model.tensor.Tensor;

/**
 * What a cached oneDNN primitive depends on (op, shapes, strides, dtypes, attributes), as a list
 * of longs. One instance per backend is reused as a probe: it is filled for every call and looked
 * up without allocation; {@link #copy()} makes the immutable key stored in the cache on a miss.
 */
final class PrimitiveKey {
    private long[] words;
    private int length;
    private int hash;

    PrimitiveKey() {
        this.words = new long[64];
    }

    private PrimitiveKey(long[] words, int hash) {
        this.words = words;
        this.length = words.length;
        this.hash = hash;
    }

    /** Starts a key for {@code op}. */
    PrimitiveKey reset(PrimitiveOp op) {
        length = 0;
        hash = 1;
        return add(op.ordinal());
    }

    PrimitiveKey add(long word) {
        if (length == words.length) {
            words = Arrays.copyOf(words, length * 2);
        }
        words[length++] = word;
        hash = 31 * hash + Long.hashCode(word);
        return this;
    }

    PrimitiveKey add(float value) {
        return add(Float.floatToRawIntBits(value));
    }

    PrimitiveKey add(boolean value) {
        return add(value ? 1 : 0);
    }

    /** dtype, rank, shape and strides; not the address (memory objects are re-pointed per call). */
    PrimitiveKey add(Tensor t) {
        add(t.dtype().ordinal());
        add(t.rank());
        for (int i = 0; i < t.rank(); i++) {
            add(t.size(i));
            add(t.stride(i));
        }
        return this;
    }

    PrimitiveKey add(long[] dims) {
        add(dims.length);
        for (long d : dims) {
            add(d);
        }
        return this;
    }

    PrimitiveOp op() {
        return PrimitiveOp.values()[(int) words[0]];
    }

    PrimitiveKey copy() {
        return new PrimitiveKey(Arrays.copyOf(words, length), hash);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PrimitiveKey other) || other.length != length || other.hash != hash) {
            return false;
        }
        return Arrays.equals(words, 0, length, other.words, 0, length);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return PrimitiveOp.values()[(int) words[0]] + Arrays.toString(Arrays.copyOfRange(words, 1, length));
    }
}
