package org.dinoj.model.eval;

import java.util.List;

/**
 * The grid of a {@link LinearProbe} run, the chosen point, the split it was chosen on, and what
 * about that split makes the figures weaker than they look (in sentences; empty when nothing does).
 */
public record LinearProbeResult(List<LinearProbe.GridPoint> grid, LinearProbe.GridPoint chosen, LinearProbe.HoldOutSplit split,
                                List<String> warnings) {
    /** Top-1 in percent of the chosen classifier on every row of {@code test}. */
    public double testAccuracy(LabeledFeatures test) {
        test.requireLabels("the linear-probe test split");
        int[] rows = new int[test.rows()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i;
        }
        return chosen.classifier().accuracy(test.features(), test.labels(), rows);
    }
}
