package org.dinoj.model.testing;

import java.util.SplittableRandom;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;

/**
 * Seeded random fills for host tensors of any strides and dtype, so every numeric test is
 * reproducible: the same seed gives the same values in row-major logical order. Values are
 * rounded to the tensor's dtype when stored.
 */
public final class RandomTensors {
    private final SplittableRandom random;

    public RandomTensors(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Fills {@code t} with normal samples of the given mean and standard deviation; returns t. */
    public Tensor normal(Tensor t, double mean, double std) {
        long n = t.numel();
        for (long i = 0; i < n; i++) {
            t.setFlat(i, mean + std * random.nextGaussian());
        }
        return t;
    }

    /** Fills {@code t} with uniform samples from {@code [low, high)}; returns t. */
    public Tensor uniform(Tensor t, double low, double high) {
        long n = t.numel();
        for (long i = 0; i < n; i++) {
            t.setFlat(i, low + (high - low) * random.nextDouble());
        }
        return t;
    }

    /**
     * Uniform samples from {@code [low, high)} with a random sign, i.e. magnitudes bounded away
     * from 0: for functions with a kink at 0 (RELU) that finite differences must not straddle.
     */
    public Tensor uniformAwayFromZero(Tensor t, double low, double high) {
        long n = t.numel();
        for (long i = 0; i < n; i++) {
            double magnitude = low + (high - low) * random.nextDouble();
            t.setFlat(i, random.nextBoolean() ? magnitude : -magnitude);
        }
        return t;
    }

    /** A new standard-normal tensor from {@code allocator}. */
    public Tensor normal(TensorAllocator allocator, DType dtype, long... shape) {
        return normal(allocator.allocate(dtype, shape), 0, 1);
    }

    /** A new tensor uniform in {@code [low, high)} from {@code allocator}. */
    public Tensor uniform(TensorAllocator allocator, DType dtype, double low, double high, long... shape) {
        return uniform(allocator.allocate(dtype, shape), low, high);
    }

    /** A standard normal sample, for scalars a test needs beside its tensors. */
    public double nextGaussian() {
        return random.nextGaussian();
    }

    /** A uniform integer in {@code [0, bound)}. */
    public int nextInt(int bound) {
        return random.nextInt(bound);
    }
}
