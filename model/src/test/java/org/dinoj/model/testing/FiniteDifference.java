package org.dinoj.model.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;

/**
 * Gradient checks by central differences in double precision.
 *
 * <p>Step size: central differences have truncation error about h^2 |f'''| / 6 and rounding error
 * about eps * S / h, where eps = 2^-52 and S is the magnitude of the terms summed into the loss.
 * The sum is smallest near h = (3 eps)^(1/3), about 1e-5; we use {@code h = 1e-5 * max(1, |x|)},
 * which for O(1) inputs and losses gives errors near 1e-10, four orders below the default
 * relative tolerance of 1e-6 (a wrong backward is off by O(1)). The step actually taken is
 * {@code (x + h) - (x - h)} as stored, so the quotient has no representation error in h.
 *
 * <p>Typical use, for any op with a backward: the loss is {@code L = sum(y * W)} with fixed random
 * weights W, so {@code dL/dy = W} is what the backward receives:
 * <pre>{@code
 * FiniteDifference.of(() -> backend.softmaxForward(x, y, false))
 *         .input("x", x, dx)
 *         .output(y)
 *         .backward(dy -> backend.softmaxBackward(y, dy[0], dx, false))
 *         .check();
 * }</pre>
 * Inputs must be F64 host tensors (the forward must compute in double end to end, as the
 * reference backend does with F64 tensors).
 */
public final class FiniteDifference {
    /** Relative step: h = STEP * max(1, |x|). */
    public static final double STEP = 1e-5;
    /** Default relative tolerance between analytic and numerical gradients. */
    public static final double DEFAULT_REL = 1e-6;
    /** Headroom over the estimated rounding noise eps * S / h in the default absolute tolerance. */
    private static final double NOISE_MARGIN = 100;

    private FiniteDifference() {
    }

    /** Starts a check of the op computed by {@code forward}, which reads the inputs and writes the outputs. */
    public static GradientCheck of(Runnable forward) {
        return new GradientCheck(forward);
    }

    /**
     * dL/dx for every element of {@code input} (F64, row-major), by central differences of the
     * scalar {@code loss}, which must read {@code input}. The input is restored afterwards.
     */
    public static double[] gradient(DoubleSupplier loss, Tensor input) {
        requireF64("input", input);
        int n = (int) input.numel();
        double[] grad = new double[n];
        for (int i = 0; i < n; i++) {
            double x = input.getFlat(i);
            double h = STEP * Math.max(1, Math.abs(x));
            double up = x + h;
            double down = x - h;
            input.setFlat(i, up);
            double lossUp = loss.getAsDouble();
            input.setFlat(i, down);
            double lossDown = loss.getAsDouble();
            input.setFlat(i, x);
            grad[i] = (lossUp - lossDown) / (up - down);
        }
        return grad;
    }

    /**
     * Checks {@code analyticGradient} (same shape as input) against central differences of the
     * scalar {@code loss} within {@code tolerance}.
     */
    public static void checkScalar(String name, DoubleSupplier loss, Tensor input, Tensor analyticGradient,
                                   Tolerance tolerance) {
        double[] numerical = gradient(loss, input);
        TensorAssertions.assertClose("d loss / d " + name + " (analytic vs central differences)",
                analyticGradient.toDoubleArray(), numerical, tolerance, null, input.shape());
    }

    /** A gradient check under construction; see the class comment. */
    public static final class GradientCheck {
        private final Runnable forward;
        private final List<String> inputNames = new ArrayList<>();
        private final List<Tensor> inputs = new ArrayList<>();
        private final List<Tensor> gradients = new ArrayList<>();
        private final List<Tensor> outputs = new ArrayList<>();
        private Consumer<Tensor[]> backward;
        private long seed = 42;
        private Tolerance tolerance;

        private GradientCheck(Runnable forward) {
            this.forward = Objects.requireNonNull(forward, "forward");
        }

        /** An F64 input to perturb and the tensor where the backward writes its gradient. */
        public GradientCheck input(String name, Tensor x, Tensor dx) {
            requireF64(name, x);
            if (!x.sameShape(dx)) {
                throw new IllegalArgumentException("gradient " + dx + " of input " + name + " must have its shape " + x);
            }
            inputNames.add(name);
            inputs.add(x);
            gradients.add(dx);
            return this;
        }

        /** An output of the forward that enters the loss; each gets its own random weights. */
        public GradientCheck output(Tensor y) {
            outputs.add(y);
            return this;
        }

        /**
         * The backward under test: given dL/dy for each output (in the order added), writes the
         * gradients of the inputs. It runs right after a forward at the unperturbed inputs, so
         * state saved by that forward (layer norm's mean and variance) is current.
         */
        public GradientCheck backward(Consumer<Tensor[]> backward) {
            this.backward = backward;
            return this;
        }

        /** Seed of the loss weights W. */
        public GradientCheck seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Replaces the default tolerance (relative 1e-6 plus the estimated rounding noise). */
        public GradientCheck tolerance(Tolerance tolerance) {
            this.tolerance = tolerance;
            return this;
        }

        /** Runs the check; throws AssertionError naming the input whose gradient is wrong. */
        public void check() {
            if (backward == null || outputs.isEmpty() || inputs.isEmpty()) {
                throw new IllegalStateException("a gradient check needs at least one input, one output and a backward");
            }
            try (HostArena arena = new HostArena()) {
                RandomTensors random = new RandomTensors(seed);
                Tensor[] weights = new Tensor[outputs.size()];
                for (int o = 0; o < weights.length; o++) {
                    weights[o] = random.normal(arena, DType.F64, outputs.get(o).shape());
                }
                forward.run();
                double magnitude = weightedMagnitude(weights);
                backward.accept(weights);
                double[][] analytic = new double[inputs.size()][];
                for (int i = 0; i < inputs.size(); i++) {
                    analytic[i] = gradients.get(i).toDoubleArray();
                }
                DoubleSupplier loss = () -> {
                    forward.run();
                    return weightedSum(weights);
                };
                // Rounding noise of one loss evaluation is about eps * S; divided by the step.
                double noise = Math.ulp(1.0) * magnitude / STEP;
                Tolerance used = tolerance != null ? tolerance : new Tolerance(NOISE_MARGIN * noise, DEFAULT_REL);
                for (int i = 0; i < inputs.size(); i++) {
                    double[] numerical = gradient(loss, inputs.get(i));
                    TensorAssertions.assertClose("d loss / d " + inputNames.get(i)
                                    + " (analytic backward vs central differences)",
                            analytic[i], numerical, used, null, inputs.get(i).shape());
                }
                forward.run(); // leave outputs and saved state as at the unperturbed inputs
            }
        }

        private double weightedSum(Tensor[] weights) {
            double sum = 0;
            for (int o = 0; o < weights.length; o++) {
                Tensor y = outputs.get(o);
                long n = y.numel();
                for (long i = 0; i < n; i++) {
                    sum += y.getFlat(i) * weights[o].getFlat(i);
                }
            }
            return sum;
        }

        private double weightedMagnitude(Tensor[] weights) {
            double sum = 0;
            for (int o = 0; o < weights.length; o++) {
                Tensor y = outputs.get(o);
                long n = y.numel();
                for (long i = 0; i < n; i++) {
                    sum += Math.abs(y.getFlat(i) * weights[o].getFlat(i));
                }
            }
            return sum;
        }
    }

    private static void requireF64(String name, Tensor t) {
        if (t.dtype() != DType.F64) {
            throw new IllegalArgumentException("finite differences need double precision, but input " + name + " " + t
                    + " is " + t.dtype() + ": allocate it as F64");
        }
    }
}
