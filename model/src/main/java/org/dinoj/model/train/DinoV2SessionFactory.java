package org.dinoj.model.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.dinoj.model.config.ConfigException;
import org.dinoj.model.train.config.ModelShape;
import org.dinoj.model.train.config.DinoV2Config;

/** The DINOv2 trainer behind {@link TrainingSessionFactory} (registered for {@link java.util.ServiceLoader}). */
public final class DinoV2SessionFactory implements TrainingSessionFactory {
    @Override
    public TrainingSession open(String config, int shard, int shards, Path checkpoint) throws IOException {
        return DinoV2Session.open(DinoV2Config.parse(config), shard, shards, checkpoint);
    }

    @Override
    public void check(String config) {
        DinoV2Config.parse(config);
    }

    /** Compares the model sizes with those of the base's config.yaml; a base without one is left to the load. */
    @Override
    public void checkBase(String config, Path base) {
        Optional<DinoV2Config> trained;
        try {
            trained = DinoV2Session.trainedConfig(base, List.of());
        } catch (IllegalArgumentException unreadable) {
            // Not one this version reads: the first round compares tensor by tensor.
            return;
        }
        if (trained.isEmpty()) {
            return;
        }
        List<String> differences = ModelShape.of(DinoV2Config.parse(config)).cannotLoad(ModelShape.of(trained.get()));
        if (!differences.isEmpty()) {
            throw new ConfigException("the weights of " + base + " do not fit this configuration's model ("
                    + String.join("; ", differences) + "): use the model keys of its " + DinoV2Session.CONFIG_FILE);
        }
    }

    @Override
    public TrainingSession openFromWeights(String config, int shard, int shards, Path base) throws IOException {
        return DinoV2Session.openFromWeights(DinoV2Config.parse(config), shard, shards, base);
    }
}
