package org.dinoj.model.data;

import java.io.Serializable;

/**
 * Where a {@link DataLoader} stands: the next batch it returns is step {@code stepInEpoch} of
 * epoch {@code epoch}. A checkpoint stores it; a loader constructed with it resumes exactly there.
 */
public record LoaderPosition(long epoch, int stepInEpoch) implements Serializable {
    public static final LoaderPosition START = new LoaderPosition(0, 0);

    public LoaderPosition {
        if (epoch < 0 || stepInEpoch < 0) {
            throw new IllegalArgumentException("loader position (epoch " + epoch + ", step " + stepInEpoch + ") must not be negative");
        }
    }

    /** The position after this one, with {@code stepsPerEpoch} steps in every epoch. */
    public LoaderPosition next(int stepsPerEpoch) {
        return stepInEpoch + 1 < stepsPerEpoch ? new LoaderPosition(epoch, stepInEpoch + 1) : new LoaderPosition(epoch + 1, 0);
    }
}
