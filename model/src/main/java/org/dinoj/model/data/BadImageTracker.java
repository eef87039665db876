package org.dinoj.model.data;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers the images of a dataset that could not be decoded, logs each once, and stops loading
 * with one sentence when more than the allowed fraction of the dataset is bad. Thread-safe.
 */
public final class BadImageTracker {
    private static final Logger LOG = LoggerFactory.getLogger(BadImageTracker.class);
    /** Bad images logged one by one at WARN; the rest at DEBUG, so a bad dataset cannot flood the log. */
    private static final int LOGGED_INDIVIDUALLY = 20;
    private static final int NAMED_IN_ERROR = 5;

    private final Dataset dataset;
    private final double maxBadFraction;
    private final Map<Integer, String> bad = new ConcurrentSkipListMap<>();
    /** Bad images whose file could not be read at all (not {@link DamagedImageException}): maybe a mount that went away. */
    private final Set<Integer> unreadable = ConcurrentHashMap.newKeySet();

    public BadImageTracker(Dataset dataset, double maxBadFraction) {
        this.dataset = dataset;
        this.maxBadFraction = maxBadFraction;
    }

    boolean isBad(int index) {
        return bad.containsKey(index);
    }

    public int count() {
        return bad.size();
    }

    /**
     * Records that image {@code index} failed to decode.
     *
     * @throws DatasetException when the bad images now exceed the allowed fraction
     */
    public void record(int index, Exception cause) {
        boolean damaged = cause instanceof DamagedImageException;
        if (!damaged) {
            unreadable.add(index);
        }
        if (bad.putIfAbsent(index, dataset.source(index)) == null) {
            int n = bad.size();
            // A read error's message is often the bare path (NoSuchFileException): name its kind.
            String why = damaged ? cause.getMessage() : "could not be read: " + cause;
            if (n <= LOGGED_INDIVIDUALLY) {
                LOG.warn("skipping image {} ({}){}", dataset.source(index), why,
                        n == LOGGED_INDIVIDUALLY ? "; further bad images are logged at debug level" : "");
            } else {
                LOG.debug("skipping image {} ({})", dataset.source(index), why);
            }
        }
        check();
    }

    /**
     * Throws when more than the allowed fraction of the dataset is known to be bad: a {@link
     * DamagedImagesException} when the damaged ones alone are too many, else a plain
     * {@link DatasetException} (a file that could not be read may be readable again later).
     */
    void check() {
        int n = bad.size();
        double limit = maxBadFraction * dataset.size();
        if (n > limit) {
            String first = String.join(", ", bad.values().stream().limit(NAMED_IN_ERROR).toList());
            String allowed = ", more than data.max_bad_fraction allows (" + percent(maxBadFraction) + "; first: " + first
                    + (n > NAMED_IN_ERROR ? ", ..." : "") + ")";
            int unread = unreadable.size();
            if (n - unread > limit) {
                // The damaged files alone exceed the limit: a retry meets them again, whatever the unreadable ones do.
                throw new DamagedImagesException(ofTheImages(n - unread) + "are damaged or not images"
                        + (unread == 0 ? "" : " (and " + unread + " could not be read)") + allowed
                        + ": fix or remove these files, or raise data.max_bad_fraction");
            }
            throw new DatasetException(ofTheImages(n) + "could not be decoded (" + unread + " could not be read at all)" + allowed
                    + ": check that the files are readable (a mount that came back is picked up on the next attempt), fix"
                    + " or remove damaged ones, or raise data.max_bad_fraction");
        }
    }

    /** "At least": loading stops at the first bad image over the limit, so the rest were not all read. */
    private String ofTheImages(int count) {
        return "at least " + count + " of the " + dataset.size() + " images of " + dataset.name() + " ";
    }

    private static String percent(double fraction) {
        return java.math.BigDecimal.valueOf(fraction * 100).stripTrailingZeros().toPlainString() + "%";
    }
}
