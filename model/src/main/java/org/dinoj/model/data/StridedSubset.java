package org.dinoj.model.data;

import java.io.IOException;

/**
 * Every (size / n)-th image of a dataset, so a subset keeps the classes as balanced as the whole
 * set: for quick k-NN scores and for timing an evaluation without running all of it.
 */
public record StridedSubset(Dataset whole, int n) implements Dataset {

    public StridedSubset {
        if (n <= 0 || n > whole.size()) {
            throw new IllegalArgumentException("a subset of " + n + " images of " + whole.describe()
                    + " must have between 1 and " + whole.size() + " images");
        }
    }

    /** The first {@code n} strided images of {@code whole}, or {@code whole} itself when n is 0 or covers it. */
    public static Dataset of(Dataset whole, int n) {
        if (n <= 0 || n >= whole.size()) {
            return whole;
        }
        return new StridedSubset(whole, n);
    }

    private int at(int index) {
        return (int) ((long) index * whole.size() / n);
    }

    @Override
    public int size() {
        return n;
    }

    @Override
    public Image image(int index) throws IOException {
        return whole.image(at(index));
    }

    @Override
    public int label(int index) {
        return whole.label(at(index));
    }

    @Override
    public int numClasses() {
        return whole.numClasses();
    }

    @Override
    public String describe() {
        return n + " of " + whole.describe();
    }

    @Override
    public String source(int index) {
        return whole.source(at(index));
    }
}
