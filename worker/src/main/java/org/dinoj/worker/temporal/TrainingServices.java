package org.dinoj.worker.temporal;

import java.util.List;
import java.util.ServiceLoader;
import org.dinoj.model.train.CheckpointEvaluator;
import org.dinoj.model.train.TrainingSessionFactory;

/**
 * The production trainer and evaluator, found with {@link ServiceLoader} so that the orchestration
 * never depends on one implementation. Missing ones are one clear error, never a stand-in.
 */
public record TrainingServices(TrainingSessionFactory sessions, CheckpointEvaluator evaluator) {

    public static TrainingServices load() {
        return new TrainingServices(
                single(TrainingSessionFactory.class, "DINOv2 training is not available in this build: no "
                        + TrainingSessionFactory.class.getName() + " implementation is on the class path"),
                single(CheckpointEvaluator.class, "k-NN evaluation is not available in this build: no "
                        + CheckpointEvaluator.class.getName() + " implementation is on the class path"));
    }

    private static <T> T single(Class<T> type, String missing) {
        List<T> found = ServiceLoader.load(type).stream().map(ServiceLoader.Provider::get).toList();
        if (found.isEmpty()) {
            throw new IllegalStateException(missing);
        }
        if (found.size() > 1) {
            throw new IllegalStateException("more than one " + type.getSimpleName() + " is on the class path ("
                    + found.stream().map(f -> f.getClass().getName()).toList() + "); keep exactly one");
        }
        return found.getFirst();
    }
}
