package org.dinoj.model.train;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Evaluates the teacher of a (verified) checkpoint with a k-NN classifier on the evaluation set the
 * configuration names. The production implementation is found with {@link java.util.ServiceLoader},
 * as the {@link TrainingSessionFactory} is.
 */
public interface CheckpointEvaluator {

    /**
     * k-NN accuracy of the teacher's CLS features in {@code checkpoint}.
     *
     * @param config the job's configuration (YAML text, as stored in the job spec)
     */
    KnnResult knn(String config, Path checkpoint) throws IOException;

    /**
     * Refuses, before a job trains, evaluations it could never run (an evaluation dataset without labels,
     * or whose bank and queries are the same images), so that the job fails in seconds with the sentence
     * rather than at its first k-NN hours later. A configuration that never evaluates passes.
     *
     * @throws IllegalArgumentException saying what to change
     */
    default void checkEvaluable(String config) {
    }

    /** As {@link TrainingSessionFactory#priority()}: the highest wins; production is 0. */
    default int priority() {
        return 0;
    }

    /** Accuracy in percent, with the k used. */
    record KnnResult(int k, double top1, double top5) {
        public KnnResult {
            if (k < 1) {
                throw new IllegalArgumentException("k must be >= 1, got " + k);
            }
        }
    }
}
