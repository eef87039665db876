package org.dinoj.model.backend;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;

/**
 * A diagnostic wrapper that times every operation of another backend: it waits for the device
 * before and after each call and adds the wall time to the call's kind (operation name and operand
 * shapes), so a report says which operations a training step spends its time in. The waits remove
 * all overlap between host and device, so the profiled step is slower than a plain one; use it to
 * find where time goes, not to measure speed. Enabled by {@code DINOJ_CUDA_PROFILE=1} in
 * {@code dinoj bench step}. Not thread-safe, as the backends it wraps.
 */
public final class ProfilingBackend implements Backend {
    /** Environment variable that turns profiling on in the benchmarks. */
    public static final String ENV = "DINOJ_CUDA_PROFILE";

    private static final class Stat {
        long calls;
        long nanos;
        long deviceCalls;
    }

    private final Backend delegate;
    private final LongSupplier deviceCalls;
    private final Map<String, Stat> byKind = new HashMap<>();
    private long totalNanos;
    private long ownSynchronizations;

    /**
     * @param deviceCalls a running count of the delegate's kernel launches and library calls (shown
     *     per kind), or null when it has none
     */
    public ProfilingBackend(Backend delegate, LongSupplier deviceCalls) {
        this.delegate = delegate;
        this.deviceCalls = deviceCalls == null ? () -> 0 : deviceCalls;
    }

    /** True when {@link #ENV} is set to 1 or true. */
    public static boolean requested() {
        String value = System.getenv(ENV);
        return value != null && (value.equals("1") || value.equalsIgnoreCase("true"));
    }

    public Backend delegate() {
        return delegate;
    }

    /** Forgets what was measured so far (e.g. after warm-up steps). */
    public void reset() {
        byKind.clear();
        totalNanos = 0;
        ownSynchronizations = 0;
    }

    /** The waits this wrapper added around operations since the last reset (two per operation). */
    public long ownSynchronizations() {
        return ownSynchronizations;
    }

    /** Total time inside the wrapped operations since the last reset, in nanoseconds. */
    public long totalNanos() {
        return totalNanos;
    }

    /**
     * A table of the {@code top} most expensive kinds (and the totals per operation name), each
     * time divided by {@code steps} to give per-step figures.
     */
    public String report(int steps, int top) {
        int per = Math.max(steps, 1);
        StringBuilder out = new StringBuilder();
        Map<String, Stat> byOp = new HashMap<>();
        for (Map.Entry<String, Stat> e : byKind.entrySet()) {
            String op = e.getKey().split(" ", 2)[0];
            Stat s = byOp.computeIfAbsent(op, k -> new Stat());
            s.calls += e.getValue().calls;
            s.nanos += e.getValue().nanos;
            s.deviceCalls += e.getValue().deviceCalls;
        }
        out.append(String.format(Locale.ROOT, "PROFILE %s: %.1f ms per step inside backend operations (%d steps)%n",
                delegate.name(), totalNanos / 1e6 / per, steps));
        out.append(String.format(Locale.ROOT, "PROFILE %-46s %10s %10s %12s %10s%n", "operation", "ms/step",
                "calls/step", "launches/step", "us/call"));
        appendRows(out, byOp, per, byOp.size(), 46);
        out.append(String.format(Locale.ROOT, "PROFILE top %d kinds (operation and operand shapes):%n", top));
        appendRows(out, byKind, per, top, 46);
        return out.toString();
    }

    private void appendRows(StringBuilder out, Map<String, Stat> stats, int per, int limit, int width) {
        List<Map.Entry<String, Stat>> rows = new ArrayList<>(stats.entrySet());
        rows.sort((x, y) -> Long.compare(y.getValue().nanos, x.getValue().nanos));
        for (int i = 0; i < Math.min(limit, rows.size()); i++) {
            Stat s = rows.get(i).getValue();
            out.append(String.format(Locale.ROOT, "PROFILE %-" + width + "s %10.2f %10.1f %12.1f %10.1f%n",
                    rows.get(i).getKey(), s.nanos / 1e6 / per, (double) s.calls / per, (double) s.deviceCalls / per,
                    s.nanos / 1e3 / Math.max(s.calls, 1)));
        }
    }

    private long start() {
        delegate.synchronize();
        ownSynchronizations++;
        return System.nanoTime();
    }

    private void stop(long started, long deviceCallsBefore, String kind) {
        delegate.synchronize();
        ownSynchronizations++;
        long dt = System.nanoTime() - started;
        Stat s = byKind.computeIfAbsent(kind, k -> new Stat());
        s.calls++;
        s.nanos += dt;
        s.deviceCalls += deviceCalls.getAsLong() - deviceCallsBefore;
        totalNanos += dt;
    }

    private static String shapes(Tensor... tensors) {
        StringBuilder b = new StringBuilder();
        for (Tensor t : tensors) {
            if (t != null) {
                b.append(Arrays.toString(t.shape()).replace(" ", ""));
            }
        }
        return b.toString();
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Precision precision() {
        return delegate.precision();
    }

    @Override
    public TensorAllocator newArena() {
        return delegate.newArena();
    }

    @Override
    public TensorAllocator newHostStagingArena() {
        return delegate.newHostStagingArena();
    }

    @Override
    public void matmul(Tensor a, Tensor b, Tensor bias, Tensor c, float alpha, float beta) {
        long calls = deviceCalls.getAsLong();
        long t = start();
        delegate.matmul(a, b, bias, c, alpha, beta);
        stop(t, calls, "matmul " + shapes(a, b) + (bias != null ? "+bias" : "") + (beta != 0f ? "+c" : ""));
    }

    @Override
    public void matmulActivation(Tensor a, Tensor b, Tensor bias, Activation activation, Tensor c) {
        long calls = deviceCalls.getAsLong();
        long t = start();
        delegate.matmulActivation(a, b, bias, activation, c);
        stop(t, calls, "matmulActivation " + activation + shapes(a, b) + (bias != null ? "+bias" : ""));
    }

    @Override
    public void addScaled(Tensor x, Tensor scale, Tensor out) {
        long calls = deviceCalls.getAsLong();
        long t = start();
        delegate.addScaled(x, scale, out);
        stop(t, calls, "addScaled " + shapes(x, scale));
    }

    @Override
    public void layerNormForward(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean,
                                 Tensor variance) {
        long calls = deviceCalls.getAsLong();
        long t = start();
        delegate.layerNormForward(x, gamma, beta, eps, y, mean, variance);
        stop(t, calls, "layerNormForward " + shapes(x));
    }

    @Override
    public void layerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor variance, float eps, Tensor dy,
                                  Tensor dx, Tensor dgamma, Tensor dbeta) {
        long calls = deviceCalls.getAsLong();
        long t = start();
        delegate.layerNormBackward(x, gamma, mean, variance, eps, dy, dx, dgamma, dbeta);
        stop(t, calls, "layerNormBackward " + shapes(x));
    }

    @Override
    public void softmaxForward(Tensor x, Tensor y, boolean log) {
        long calls = deviceCalls.getAsLong();
        long t = start();
        delegate.softmaxForward(x, y, log);
        stop(t, calls, "softmaxForward " + shapes(x));
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor dy, Tensor dx, boolean log) {
        long calls = deviceCalls.getAsLong();
        long t = start();
        delegate.softmaxBackward(y, dy, dx, log);
        stop(t, calls, "softmaxBackward " + shapes(y));
    }

    @Override
    public void l2NormalizeForward(Tensor x, float eps, Tensor y, Tensor norm) {
        long calls = deviceCalls.getAsLong();
        long t = start();
        delegate.l2NormalizeForward(x, eps, y, norm);
        stop(t, calls, "l2NormalizeForward " + shapes(x));
    }

    @Override
    public void l2NormalizeBackward(Tensor y, Tensor norm, float eps, Tensor dy, Tensor dx) {
        long calls = deviceCalls.getAsLong();
        long t = start();
        delegate.l2NormalizeBackward(y, norm, eps, dy, dx);
        stop(t, calls, "l2NormalizeBackward " + shapes(y));
    }

    @Override
    public boolean fusesAttention(int headDim) {
        return delegate.fusesAttention(headDim);
    }

    @Override
    public void attentionForward(Tensor qkv, int heads, float scale, Tensor out, Tensor lse) {
        long calls = deviceCalls.getAsLong();
        long t = start();
        delegate.attentionForward(qkv, heads, scale, out, lse);
        stop(t, calls, "attentionForward " + shapes(qkv));
    }

    @Override
    public void attentionBackward(Tensor qkv, Tensor out, Tensor lse, Tensor dOut, int heads, float scale,
                                  Tensor dQkv) {
        long calls = deviceCalls.getAsLong();
        long t = start();
        delegate.attentionBackward(qkv, out, lse, dOut, heads, scale, dQkv);
        stop(t, calls, "attentionBackward " + shapes(qkv));
    }

    @Override
    public void activationForward(Activation activation, Tensor x, Tensor y) {
        long calls = deviceCalls.getAsLong();
        long t = start();
        delegate.activationForward(activation, x, y);
        stop(t, calls, "activationForward " + activation + shapes(x));
    }

    @Override
    public void activationBackward(Activation activation, Tensor x, Tensor dy, Tensor dx) {
        long calls = deviceCalls.getAsLong();
        long t = start();
        delegate.activationBackward(activation, x, dy, dx);
        stop(t, calls, "activationBackward " + activation + shapes(x));
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        long calls = deviceCalls.getAsLong();
        long t = start();
        delegate.binary(op, a, b, out);
        stop(t, calls, "binary " + op + shapes(a, b));
    }

    @Override
    public void linear(Tensor x, float alpha, float beta, Tensor out) {
        long calls = deviceCalls.getAsLong();
        long t = start();
        delegate.linear(x, alpha, beta, out);
        stop(t, calls, "linear " + shapes(x));
    }

    @Override
    public void reduce(Reduction op, Tensor x, Tensor out) {
        long calls = deviceCalls.getAsLong();
        long t = start();
        delegate.reduce(op, x, out);
        stop(t, calls, "reduce " + op + shapes(x, out));
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        long calls = deviceCalls.getAsLong();
        long t = start();
        delegate.copy(src, dst);
        stop(t, calls, "copy " + src.device() + "->" + dst.device() + shapes(src));
    }

    @Override
    public void copyRows(Tensor src, int[] srcRows, Tensor dst, int[] dstRows, int count, boolean add) {
        long calls = deviceCalls.getAsLong();
        long t = start();
        delegate.copyRows(src, srcRows, dst, dstRows, count, add);
        stop(t, calls, "copyRows " + shapes(src, dst) + (add ? "+add" : ""));
    }

    @Override
    public void fill(Tensor x, float value) {
        long calls = deviceCalls.getAsLong();
        long t = start();
        delegate.fill(x, value);
        stop(t, calls, "fill " + shapes(x));
    }

    @Override
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWStep step) {
        long calls = deviceCalls.getAsLong();
        long t = start();
        delegate.adamw(param, grad, m, v, step);
        stop(t, calls, "adamw " + shapes(param));
    }

    @Override
    public void synchronize() {
        delegate.synchronize();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
