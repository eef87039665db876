package org.dinoj.model.eval;

import java.util.Objects;

/**
 * A dense matrix of per-image features, {@code [N, D]} row-major in one float array: row {@code i}
 * occupies {@code values[i * dim, (i + 1) * dim)}.
 */
public final class FeatureMatrix {
    /** Rows with a norm below this are left (nearly) unchanged by normalisation, as torch's F.normalize. */
    static final double NORM_EPS = 1e-12;

    private final int rows;
    private final int dim;
    private final float[] values;

    public FeatureMatrix(int rows, int dim, float[] values) {
        if (rows < 0 || dim <= 0) {
            throw new IllegalArgumentException("feature matrix shape [" + rows + ", " + dim + "] must have rows >= 0 and dim > 0");
        }
        Objects.requireNonNull(values, "values");
        if ((long) rows * dim != values.length) {
            throw new IllegalArgumentException(values.length + " values do not fill a [" + rows + ", " + dim + "] feature matrix");
        }
        this.rows = rows;
        this.dim = dim;
        this.values = values;
    }

    public static FeatureMatrix zeros(int rows, int dim) {
        if ((long) rows * dim > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a [" + rows + ", " + dim + "] feature matrix exceeds the 2^31 floats of one Java array");
        }
        return new FeatureMatrix(rows, dim, new float[rows * dim]);
    }

    public int rows() {
        return rows;
    }

    public int dim() {
        return dim;
    }

    /** The backing array, {@code [N, D]} row-major; shared, not copied. */
    public float[] values() {
        return values;
    }

    public float get(int row, int column) {
        Objects.checkIndex(row, rows);
        Objects.checkIndex(column, dim);
        return values[row * dim + column];
    }

    /**
     * Divides every row by its L2 norm, in place: {@code x / max(||x||, 1e-12)} as torch's
     * {@code F.normalize}, so an all-zero row stays zero. The norm is accumulated in double.
     */
    public void l2NormalizeRows() {
        for (int r = 0; r < rows; r++) {
            int from = r * dim;
            double sum = 0;
            for (int c = 0; c < dim; c++) {
                double v = values[from + c];
                sum += v * v;
            }
            float scale = (float) (1.0 / Math.max(Math.sqrt(sum), NORM_EPS));
            for (int c = 0; c < dim; c++) {
                values[from + c] *= scale;
            }
        }
    }

    /**
     * @throws IllegalArgumentException naming {@code what} and the first row holding a NaN or an
     *     infinity (they would make every similarity and ranking meaningless)
     */
    public void requireFinite(String what) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException(what + " has a non-finite value " + values[i] + " in row " + (i / dim)
                        + ", column " + (i % dim) + ": check the model or the input images");
            }
        }
    }
}
