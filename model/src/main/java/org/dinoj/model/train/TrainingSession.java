package org.dinoj.model.train;

import java.io.IOException;
import java.nio.file.Path;
import org.dinoj.model.ssl.NonFiniteStepException;

/**
 * A resumable training run of one shard: a model, its optimizer, teacher, schedules, data position
 * and RNG states. The orchestration layer drives it step by step and decides when to checkpoint.
 * Everything that shapes the future is in what {@link #saveTo} writes, so a session opened from
 * that directory continues exactly as this one would have.
 */
public interface TrainingSession extends AutoCloseable {

    /** Global optimizer steps completed so far. */
    long step();

    /** Steps the whole job runs (epochs x steps per epoch), for schedules and progress. */
    long totalSteps();

    /**
     * Runs one optimizer step. A step whose loss or gradients are not finite is refused: nothing is
     * applied and {@link NonFiniteStepException} names the step and the term.
     */
    StepResult trainStep() throws NonFiniteStepException;

    /**
     * Writes the checkpoint files (model.safetensors, optimizer.safetensors, trainer.json) into
     * {@code directory}, which exists and is empty. Refuses non-finite weights.
     */
    void saveTo(Path directory) throws IOException;

    /**
     * What opening from a checkpoint noticed that the job's people should see (e.g. the training
     * dataset changed since it was written), or empty.
     */
    default java.util.Optional<String> resumeNote() {
        return java.util.Optional.empty();
    }

    /**
     * Multiplies the learning rate of every parameter group by {@code factor} from the next step on,
     * on top of the schedule (the orchestration layer halves it when a round keeps producing
     * non-finite steps). The accumulated factor is part of the session's state: {@link #saveTo}
     * must record it, so a session reopened from a later checkpoint keeps the lower rate.
     *
     * @throws UnsupportedOperationException when the session cannot scale its learning rate; the
     *     default, so that a session never silently ignores the request
     */
    default void scaleLearningRate(double factor) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot scale its learning rate");
    }

    @Override
    void close();
}
