package org.dinoj.model.train;

import java.io.IOException;
import java.nio.file.Path;

/** Opens training sessions from a job's configuration (YAML text as stored in the job spec). */
public interface TrainingSessionFactory {

    /**
     * Opens shard {@code shard} of {@code shards}. With {@code checkpoint} null the model is
     * initialised from the configured seed; otherwise every piece of state is restored from the
     * (already verified) checkpoint directory.
     */
    TrainingSession open(String config, int shard, int shards, Path checkpoint) throws IOException;

    /**
     * Refuses, with one sentence, a configuration that {@link #open} would refuse, so that a job is
     * refused when it is submitted rather than failed by its first round on a worker. It reads only
     * the configuration (no data, no native code). The default checks nothing up front: such a
     * trainer's configuration errors show when its first round opens a session.
     *
     * @throws IllegalArgumentException (a ConfigException) naming the key at fault
     */
    default void check(String config) {
    }

    /**
     * Refuses, with one sentence, a retraining whose base weights {@link #openFromWeights} would not
     * load into the model of {@code config}, so that it is refused when submitted. It reads only small
     * files of {@code base} (no tensors) and checks nothing it cannot tell from them; the default
     * checks nothing up front.
     *
     * @throws IllegalArgumentException (a ConfigException) naming what differs
     */
    default void checkBase(String config, Path base) {
    }

    /**
     * Which implementation wins when several are on the class path: the highest priority. The
     * production trainer has 0; a test double declares more to stand in for it in tests.
     */
    default int priority() {
        return 0;
    }

    /**
     * Opens shard {@code shard} of {@code shards} for a retraining: the model weights (student,
     * teacher and centering state) come from the (already verified) checkpoint directory
     * {@code base} of another job; everything else starts as in a fresh run of {@code config}: step
     * 0, new optimizer state, schedules and data position from the start.
     *
     * @throws UnsupportedOperationException when this trainer cannot start from another job's
     *     weights; the default, so that a retraining never silently trains from scratch
     */
    default TrainingSession openFromWeights(String config, int shard, int shards, Path base) throws IOException {
        throw new UnsupportedOperationException(getClass().getName() + " cannot start a job from the weights of another"
                + " checkpoint (retraining); it lacks openFromWeights");
    }
}
