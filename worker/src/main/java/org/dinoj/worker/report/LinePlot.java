package org.dinoj.worker.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A line chart drawn with the JDK alone (headless {@link BufferedImage}, PNG through
 * {@link ImageIO}): axes with "nice" ticks (1, 2, 5 x 10^n), tick labels, axis labels, a title,
 * light grid lines and a legend. Non-finite points are skipped and break the line. Series with
 * few points get a marker on each point, so a single evaluation is still visible.
 */
public final class LinePlot {
    /** Distinct colours for up to 8 series (Tableau 10). */
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
            new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};
    private static final int MARKERS_UP_TO = 60;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 36;
    private static final int BOTTOM = 50;

    /** One named curve: y[i] at x[i]. */
    public record Series(String name, double[] x, double[] y) {
        public Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series " + name + " has " + x.length + " x values and " + y.length
                        + " y values: they must pair up");
            }
        }
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();

    public LinePlot(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    public LinePlot add(Series s) {
        series.add(s);
        return this;
    }

    public LinePlot add(String name, double[] x, double[] y) {
        return add(new Series(name, x, y));
    }

    /** The chart as an RGB image of {@code width x height} pixels. */
    public BufferedImage render(int width, int height) {
        if (width < LEFT + RIGHT + 40 || height < TOP + BOTTOM + 40) {
            throw new IllegalArgumentException("a plot of " + width + "x" + height + " pixels leaves no room for the axes;"
                    + " use at least " + (LEFT + RIGHT + 40) + "x" + (TOP + BOTTOM + 40));
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            Frame f = new Frame(LEFT, TOP, width - LEFT - RIGHT, height - TOP - BOTTOM, range(true), range(false));
            drawAxes(g, f, width, height);
            for (int i = 0; i < series.size(); i++) {
                drawSeries(g, f, series.get(i), PALETTE[i % PALETTE.length]);
            }
            drawLegend(g, f);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Renders and writes a PNG, through a temporary file renamed into place (readers never see half a file). */
    public void writePng(Path file, int width, int height) throws IOException {
        BufferedImage image = render(width, height);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        if (!ImageIO.write(image, "png", tmp.toFile())) {
            throw new IOException("the JDK has no PNG writer (javax.imageio) to write " + file);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Data range of x or y over every finite point, padded; [0, 1] when there is none. */
    private Range range(boolean xAxis) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x.length; i++) {
                if (Double.isFinite(s.x[i]) && Double.isFinite(s.y[i])) {
                    double v = xAxis ? s.x[i] : s.y[i];
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo > hi) {
            return new Range(0, 1);
        }
        if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
            double pad = Math.abs(hi) > 0 ? Math.abs(hi) * 0.1 : 1;
            return new Range(lo - pad, hi + pad);
        }
        double pad = (hi - lo) * (xAxis ? 0.02 : 0.05); // markers at the ends stay inside the frame
        return new Range(lo - pad, hi + pad);
    }

    private void drawAxes(Graphics2D g, Frame f, int width, int height) {
        Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
        Font label = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        g.setFont(small);
        FontMetrics fm = g.getFontMetrics();
        double[] xTicks = ticks(f.x);
        double[] yTicks = ticks(f.y);
        g.setStroke(new BasicStroke(1f));
        for (double t : xTicks) {
            int px = f.px(t);
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(px, f.top, px, f.top + f.height);
            g.setColor(Color.BLACK);
            g.drawLine(px, f.top + f.height, px, f.top + f.height + 4);
            String s = format(t, step(xTicks));
            g.drawString(s, px - fm.stringWidth(s) / 2, f.top + f.height + 6 + fm.getAscent());
        }
        for (double t : yTicks) {
            int py = f.py(t);
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(f.left, py, f.left + f.width, py);
            g.setColor(Color.BLACK);
            g.drawLine(f.left - 4, py, f.left, py);
            String s = format(t, step(yTicks));
            g.drawString(s, f.left - 6 - fm.stringWidth(s), py + fm.getAscent() / 2 - 1);
        }
        g.setColor(Color.BLACK);
        g.drawRect(f.left, f.top, f.width, f.height);
        g.setFont(label);
        FontMetrics lm = g.getFontMetrics();
        g.drawString(xLabel, f.left + (f.width - lm.stringWidth(xLabel)) / 2, height - 10);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, -(f.top + (f.height + lm.stringWidth(yLabel)) / 2), 16);
        g.setTransform(saved);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        FontMetrics tm = g.getFontMetrics();
        g.drawString(title, (width - tm.stringWidth(title)) / 2, 22);
    }

    private static void drawSeries(Graphics2D g, Frame f, Series s, Color color) {
        g.setColor(color);
        g.setStroke(new BasicStroke(1.8f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        Path2D.Double line = new Path2D.Double();
        boolean open = false;
        int finite = 0;
        for (int i = 0; i < s.x.length; i++) {
            if (!Double.isFinite(s.x[i]) || !Double.isFinite(s.y[i])) {
                open = false;
                continue;
            }
            finite++;
            double px = f.fx(s.x[i]);
            double py = f.fy(s.y[i]);
            if (open) {
                line.lineTo(px, py);
            } else {
                line.moveTo(px, py);
                open = true;
            }
        }
        g.draw(line);
        if (finite <= MARKERS_UP_TO) {
            for (int i = 0; i < s.x.length; i++) {
                if (Double.isFinite(s.x[i]) && Double.isFinite(s.y[i])) {
                    int px = (int) Math.round(f.fx(s.x[i]));
                    int py = (int) Math.round(f.fy(s.y[i]));
                    g.fillOval(px - 3, py - 3, 7, 7);
                }
            }
        }
    }

    private void drawLegend(Graphics2D g, Frame f) {
        if (series.isEmpty()) {
            return;
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        int widest = 0;
        for (Series s : series) {
            widest = Math.max(widest, fm.stringWidth(s.name));
        }
        int rowHeight = fm.getHeight();
        int boxWidth = widest + 34;
        int boxHeight = rowHeight * series.size() + 8;
        int x = f.left + f.width - boxWidth - 8;
        int y = f.top + 8;
        g.setColor(new Color(255, 255, 255, 230));
        g.fillRect(x, y, boxWidth, boxHeight);
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(x, y, boxWidth, boxHeight);
        for (int i = 0; i < series.size(); i++) {
            int rowY = y + 4 + i * rowHeight + rowHeight / 2;
            g.setColor(PALETTE[i % PALETTE.length]);
            g.setStroke(new BasicStroke(2.5f));
            g.drawLine(x + 6, rowY, x + 24, rowY);
            g.setColor(Color.BLACK);
            g.drawString(series.get(i).name, x + 28, rowY + fm.getAscent() / 2 - 1);
        }
    }

    /** Tick values at a 1, 2 or 5 x 10^n step giving 4 to 10 ticks inside the range. */
    static double[] ticks(Range r) {
        double span = r.hi - r.lo;
        double raw = span / 6;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = magnitude;
        for (double m : new double[] {1, 2, 5, 10}) {
            step = m * magnitude;
            if (span / step <= 8) {
                break;
            }
        }
        double first = Math.ceil(r.lo / step - 1e-9) * step;
        List<Double> values = new ArrayList<>();
        for (double t = first; t <= r.hi + step * 1e-9; t += step) {
            values.add(Math.abs(t) < step * 1e-9 ? 0 : t);
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double step(double[] ticks) {
        return ticks.length > 1 ? ticks[1] - ticks[0] : 1;
    }

    /** A tick label with as many decimals as the step needs. */
    static String format(double value, double step) {
        int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
        return String.format(Locale.ROOT, "%." + Math.min(decimals, 6) + "f", value);
    }

    record Range(double lo, double hi) {
    }

    /** The plotting area in pixels and the data ranges it shows. */
    private record Frame(int left, int top, int width, int height, Range x, Range y) {
        double fx(double v) {
            return left + (v - x.lo) / (x.hi - x.lo) * width;
        }

        double fy(double v) {
            return top + height - (v - y.lo) / (y.hi - y.lo) * height;
        }

        int px(double v) {
            return (int) Math.round(fx(v));
        }

        int py(double v) {
            return (int) Math.round(fy(v));
        }
    }
}
