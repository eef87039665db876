package org.dinoj.model.ssl;

import java.util.Arrays;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Tensor;

/** Argument checks shared by the loss classes. */
final class Shapes {
    private Shapes() {
    }

    static void require(Tensor t, String what, DType dtype, long... shape) {
        if (t == null) {
            throw new IllegalArgumentException(what + " is missing; expected a " + dtype + " tensor of shape "
                    + Arrays.toString(shape));
        }
        if (!Arrays.equals(t.shape(), shape) || t.dtype() != dtype) {
            throw new IllegalArgumentException(what + " is " + t + "; expected " + dtype + " of shape "
                    + Arrays.toString(shape));
        }
    }

    static void requireContiguous(Tensor t, String what) {
        if (!t.isContiguous()) {
            throw new IllegalArgumentException(what + " is a strided view " + t + "; pass a contiguous tensor");
        }
    }

    static int positive(String what, long value) {
        if (value <= 0 || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " is " + value + "; it must be a positive int");
        }
        return (int) value;
    }
}
