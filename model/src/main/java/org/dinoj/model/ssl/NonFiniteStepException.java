package org.dinoj.model.ssl;

/**
 * A training step produced a non-finite loss term or gradient, so the caller must refuse it:
 * apply no optimizer, EMA or center update, and write no checkpoint from it.
 */
public final class NonFiniteStepException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What was not finite. */
    public enum Kind {
        /** A loss term, named as in dinov2's logged loss dict. */
        LOSS,
        /** The gradient of a student sub-module (backbone, dino_head, ibot_head). */
        GRADIENT
    }

    private final long step;
    private final Kind kind;
    private final String source;
    private final double value;

    /**
     * @param source the loss term ({@code dino_local_crops_loss}, ...) or the sub-module ({@code backbone}, ...)
     * @param value the offending loss value, or the gradient's global L2 norm
     */
    public NonFiniteStepException(long step, Kind kind, String source, double value) {
        super("step " + step + ": " + (kind == Kind.LOSS ? "loss term " + source : "gradient of " + source
                + " (global L2 norm)") + " is " + value + "; the step was refused");
        this.step = step;
        this.kind = kind;
        this.source = source;
        this.value = value;
    }

    public long step() {
        return step;
    }

    public Kind kind() {
        return kind;
    }

    /** The loss term or the sub-module whose gradient was not finite. */
    public String source() {
        return source;
    }

    public double value() {
        return value;
    }

    /** Throws when {@code value} is NaN or infinite (dinov2 only catches NaN; inf from KoLeo is caught here too). */
    public static void requireFiniteLoss(long step, String term, double value) throws NonFiniteStepException {
        if (!Double.isFinite(value)) {
            throw new NonFiniteStepException(step, Kind.LOSS, term, value);
        }
    }

    /** Throws when a sub-module's gradient norm is NaN or infinite, i.e. some gradient element is. */
    public static void requireFiniteGradient(long step, String subModule, double globalNorm)
            throws NonFiniteStepException {
        if (!Double.isFinite(globalNorm)) {
            throw new NonFiniteStepException(step, Kind.GRADIENT, subModule, globalNorm);
        }
    }
}
