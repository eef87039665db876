package org.dinoj.worker.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dinoj.model.train.config.DinoV2Config;
import picocli.CommandLine.Option;

/** A checkpoint and the training configuration it was made with, for the {@code dinoj eval} commands. */
final class TrainedModelOptions {
    @Option(names = "--checkpoint", paramLabel = "DIR",
            description = "Checkpoint directory whose teacher backbone is evaluated.")
    Path checkpoint;

    @Option(names = "--config", defaultValue = "fashion-mnist", paramLabel = "PRESET|FILE",
            description = "With --checkpoint: the training configuration the checkpoint was made with (default: ${DEFAULT-VALUE}).")
    String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "With --checkpoint: configuration overrides, as for pretrain.")
    List<String> overrides = new ArrayList<>();

    /** The checkpoint's training configuration with {@code extra} overrides after the user's. */
    DinoV2Config trainedConfig(String... extra) {
        List<String> all = new ArrayList<>(overrides);
        all.addAll(List.of(extra));
        return DinoV2Config.load(config, all);
    }
}
