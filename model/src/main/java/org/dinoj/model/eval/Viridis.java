package org.dinoj.model.eval;

/**
 * A viridis-like colour map: linear interpolation between 10 samples of matplotlib's viridis
 * (dark purple at 0 through blue and green to yellow at 1), perceptually ordered and readable in
 * grey scale.
 */
public final class Viridis {
    private static final int[] SAMPLES = {
            0x440154, 0x482878, 0x3E4A89, 0x31688E, 0x26828E, 0x1F9E89, 0x35B779, 0x6DCD59, 0xB4DE2C, 0xFDE725,
    };

    private Viridis() {}

    /** The 0xRRGGBB colour of {@code t}, clamped to [0, 1]; NaN maps to 0. */
    public static int rgb(double t) {
        double x = Double.isNaN(t) ? 0 : Math.min(1, Math.max(0, t)) * (SAMPLES.length - 1);
        int i = Math.min((int) x, SAMPLES.length - 2);
        double f = x - i;
        int a = SAMPLES[i];
        int b = SAMPLES[i + 1];
        int r = mix(a >> 16 & 0xFF, b >> 16 & 0xFF, f);
        int g = mix(a >> 8 & 0xFF, b >> 8 & 0xFF, f);
        int bl = mix(a & 0xFF, b & 0xFF, f);
        return r << 16 | g << 8 | bl;
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round(a + (b - a) * f);
    }
}
