package org.dinoj.worker.toy;

import java.io.IOException;
import java.nio.file.Path;
import org.dinoj.model.train.TrainingSession;
import org.dinoj.model.train.TrainingSessionFactory;

/** Opens {@link ToyTrainingSession}s; registered for tests through META-INF/services. */
public final class ToyTrainingSessionFactory implements TrainingSessionFactory {
    /** Stands in for the production implementation on the test class path. */
    @Override
    public int priority() {
        return 1;
    }

    @Override
    public void check(String config) {
        ToyConfig.parse(config);
    }

    @Override
    public TrainingSession open(String config, int shard, int shards, Path checkpoint) throws IOException {
        return ToyTrainingSession.open(ToyConfig.parse(config), config, shard, shards, checkpoint);
    }

    @Override
    public TrainingSession openFromWeights(String config, int shard, int shards, Path base) throws IOException {
        return ToyTrainingSession.openFromWeights(ToyConfig.parse(config), config, shard, shards, base);
    }
}
