package org.dinoj.model.train;

import java.io.IOException;
import java.nio.file.Path;
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

    @Override
    public TrainingSession openFromWeights(String config, int shard, int shards, Path base) throws IOException {
        return DinoV2Session.openFromWeights(DinoV2Config.parse(config), shard, shards, base);
    }
}
