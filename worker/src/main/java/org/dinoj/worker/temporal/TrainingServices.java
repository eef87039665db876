package org.dinoj.worker.temporal;

import java.util.List;
import java.util.ServiceLoader;
import java.util.function.ToIntFunction;
import org.dinoj.model.train.CheckpointEvaluator;
import org.dinoj.model.train.TrainingSessionFactory;

/**
 * The production trainer and evaluator, found with {@link ServiceLoader} so that the orchestration
 * never depends on one implementation. Missing ones are one clear error, never a stand-in; when
 * several are present (a test double beside the production one) the highest priority wins.
 */
public record TrainingServices(TrainingSessionFactory sessions, CheckpointEvaluator evaluator) {

    public static TrainingServices load() {
        return new TrainingServices(
                single(TrainingSessionFactory.class, TrainingSessionFactory::priority, "DINOv2 training is not available in this build: no "
                        + TrainingSessionFactory.class.getName() + " implementation is on the class path"),
                single(CheckpointEvaluator.class, CheckpointEvaluator::priority, "k-NN evaluation is not available in this build: no "
                        + CheckpointEvaluator.class.getName() + " implementation is on the class path"));
    }

    private static <T> T single(Class<T> type, ToIntFunction<T> priority, String missing) {
        List<T> found = ServiceLoader.load(type).stream().map(ServiceLoader.Provider::get).toList();
        if (found.isEmpty()) {
            throw new IllegalStateException(missing);
        }
        int best = found.stream().mapToInt(priority).max().orElseThrow();
        List<T> winners = found.stream().filter(f -> priority.applyAsInt(f) == best).toList();
        if (winners.size() > 1) {
            throw new IllegalStateException("more than one " + type.getSimpleName() + " of priority " + best
                    + " is on the class path (" + winners.stream().map(f -> f.getClass().getName()).toList()
                    + "); keep exactly one");
        }
        return winners.getFirst();
    }
}
