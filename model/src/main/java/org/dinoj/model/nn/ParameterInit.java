package org.dinoj.model.nn;

import java.util.random.RandomGenerator;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.tensor.Device;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;

/**
 * The initialisations dinov2 uses, drawn from a seeded generator in Java (values differ from
 * PyTorch's, distributions do not). Device tensors are filled through a host staging copy.
 */
public final class ParameterInit {
    private ParameterInit() {
    }

    /**
     * torch.nn.init.trunc_normal_(std) with its default bounds a=-2, b=2, which are absolute values,
     * not multiples of std (so with std 0.02 the truncation practically never fires).
     */
    public static void truncatedNormal(Backend backend, Tensor t, double std, RandomGenerator rng) {
        double[] values = new double[checkedSize(t)];
        for (int i = 0; i < values.length; i++) {
            double v;
            do {
                v = rng.nextGaussian() * std;
            } while (v < -2.0 || v > 2.0);
            values[i] = v;
        }
        write(backend, t, values);
    }

    /** torch.nn.init.normal_(std). */
    public static void normal(Backend backend, Tensor t, double std, RandomGenerator rng) {
        double[] values = new double[checkedSize(t)];
        for (int i = 0; i < values.length; i++) {
            values[i] = rng.nextGaussian() * std;
        }
        write(backend, t, values);
    }

    /** Uniform on {@code [-bound, bound)}. */
    public static void uniform(Backend backend, Tensor t, double bound, RandomGenerator rng) {
        double[] values = new double[checkedSize(t)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (rng.nextDouble() * 2 - 1) * bound;
        }
        write(backend, t, values);
    }

    /**
     * PyTorch's default for nn.Linear and nn.Conv2d weights, kaiming_uniform_(a=sqrt(5)): the gain
     * sqrt(2 / (1 + 5)) times sqrt(3 / fanIn) gives U(-1/sqrt(fanIn), 1/sqrt(fanIn)). Their default
     * bias init has the same bound.
     */
    public static void torchDefault(Backend backend, Tensor t, long fanIn, RandomGenerator rng) {
        uniform(backend, t, 1.0 / Math.sqrt(fanIn), rng);
    }

    private static int checkedSize(Tensor t) {
        if (t.numel() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cannot initialise " + t + " in one piece: more than 2^31 elements");
        }
        return (int) t.numel();
    }

    /** Writes values in row-major order into t, through a host staging copy for device tensors. */
    static void write(Backend backend, Tensor t, double[] values) {
        if (t.device() == Device.CPU) {
            t.copyFrom(values);
            return;
        }
        try (HostArena staging = new HostArena()) {
            Tensor host = staging.allocate(t.dtype(), t.shape());
            host.copyFrom(values);
            backend.copy(host, t);
        }
    }
}
