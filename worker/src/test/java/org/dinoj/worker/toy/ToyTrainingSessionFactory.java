package org.dinoj.worker.toy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dinoj.model.config.ConfigException;
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

    /** As the DINOv2 trainer compares its model keys: here toy.dim against the base's config.yaml. */
    @Override
    public void checkBase(String config, Path base) {
        Path trained = base.resolve("config.yaml");
        if (!Files.isRegularFile(trained)) {
            return;
        }
        int there;
        try {
            there = ToyConfig.parse(Files.readString(trained)).dim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int here = ToyConfig.parse(config).dim();
        if (there != here) {
            throw new ConfigException("the weights of " + base + " do not fit this configuration's model (toy.dim "
                    + there + " there, " + here + " here): use the model keys of its config.yaml");
        }
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
