package org.dinoj.tests.crosscheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import org.dinoj.model.tensor.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One compared quantity: the largest absolute difference between dinoj's and the reference's
 * values, and that difference relative to the largest reference magnitude (a norm-wise relative
 * error that stays meaningful where single elements are near zero). Each comparison is logged and
 * appended as a table row to {@code target/crosscheck-report.md} (docs/crosscheck.md quotes it).
 */
record Comparison(String check, String quantity, long elements, double maxAbsDiff, double maxAbsReference) {
    private static final Logger LOG = LoggerFactory.getLogger(Comparison.class);
    private static final Path REPORT = Path.of("target", "crosscheck-report.md");

    static Comparison of(String check, String quantity, Tensor dinoj, Tensor reference) {
        if (!Arrays.equals(dinoj.shape(), reference.shape())) {
            throw new AssertionError(check + " / " + quantity + ": shape " + Arrays.toString(dinoj.shape())
                    + " vs the reference's " + Arrays.toString(reference.shape()));
        }
        double maxDiff = 0;
        double maxRef = 0;
        for (long i = 0; i < reference.numel(); i++) {
            double a = dinoj.getFlat(i);
            double b = reference.getFlat(i);
            double d = Math.abs(a - b);
            if (!(d <= maxDiff)) { // NaN anywhere must show, not be skipped by max()
                maxDiff = Double.isNaN(d) ? Double.NaN : d;
            }
            maxRef = Math.max(maxRef, Math.abs(b));
        }
        return record(new Comparison(check, quantity, reference.numel(), maxDiff, maxRef));
    }

    static Comparison ofScalar(String check, String quantity, double dinoj, double reference) {
        return record(new Comparison(check, quantity, 1, Math.abs(dinoj - reference), Math.abs(reference)));
    }

    double relative() {
        return maxAbsReference == 0 ? maxAbsDiff : maxAbsDiff / maxAbsReference;
    }

    private static Comparison record(Comparison c) {
        String row = String.format(Locale.ROOT, "| %s | %s | %d | %.3e | %.3e | %.3e |", c.check, c.quantity,
                c.elements, c.maxAbsDiff, c.relative(), c.maxAbsReference);
        LOG.info("crosscheck {}", row);
        try {
            Files.createDirectories(REPORT.getParent());
            Files.writeString(REPORT, row + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return c;
    }
}
