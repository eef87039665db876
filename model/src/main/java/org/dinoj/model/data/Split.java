package org.dinoj.model.data;

/** Which part of a dataset to open: the training images or the held-out test images. */
public enum Split {
    TRAIN,
    TEST;

    /** Parses {@code train} or {@code test} (case-insensitive; {@code val} is accepted for test). */
    public static Split parse(String text) {
        return switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "train" -> TRAIN;
            case "test", "val" -> TEST;
            default -> throw new DatasetException("unknown split '" + text + "': use train or test");
        };
    }
}
