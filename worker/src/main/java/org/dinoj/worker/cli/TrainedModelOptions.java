package org.dinoj.worker.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.dinoj.model.backend.cuda.CudaDevice;
import org.dinoj.model.checkpoint.CheckpointMismatchException;
import org.dinoj.model.checkpoint.CheckpointStore;
import org.dinoj.model.train.DinoV2Session;
import org.dinoj.model.train.config.DinoV2Config;
import picocli.CommandLine.Option;

/** A checkpoint and the training configuration it was made with, for the {@code dinoj eval} commands. */
final class TrainedModelOptions {
    /** The configuration of a checkpoint written before checkpoints kept their own. */
    static final String OLD_CHECKPOINT_CONFIG = "fashion-mnist";

    @Option(names = "--checkpoint", paramLabel = "DIR",
            description = "Checkpoint directory whose teacher backbone is evaluated.")
    Path checkpoint;

    @Option(names = "--config", paramLabel = "PRESET|FILE",
            description = "With --checkpoint: the training configuration (default: the config.yaml the checkpoint"
                    + " holds; " + OLD_CHECKPOINT_CONFIG + " for a checkpoint older than that file).")
    String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "With --checkpoint: configuration overrides, as for pretrain.")
    List<String> overrides = new ArrayList<>();

    /** The checkpoint verified against its manifest (once per command). */
    private boolean verified;

    /** The checkpoint's training configuration with {@code extra} overrides after the user's. */
    DinoV2Config trainedConfig(String... extra) {
        List<String> all = new ArrayList<>(overrides);
        all.addAll(List.of(extra));
        if (checkpoint != null && !Files.isRegularFile(checkpoint.resolve(DinoV2Session.MODEL_FILE))) {
            throw new IllegalArgumentException("--checkpoint " + checkpoint + " is not a checkpoint directory: it has no "
                    + DinoV2Session.MODEL_FILE + " (give a step-NNNNNNNNNN directory of a job, or one 'dinoj import' wrote)");
        }
        if (checkpoint != null && !verified) {
            // As a job's evaluation and export do: a corrupted file would give a wrong score, not an error.
            try {
                CheckpointStore.verifyDirectory(checkpoint);
            } catch (IOException e) {
                throw new IllegalArgumentException("--checkpoint " + checkpoint + " does not verify: " + e.getMessage(), e);
            }
            verified = true;
        }
        if (config == null && checkpoint != null) {
            Optional<DinoV2Config> own = DinoV2Session.trainedConfig(checkpoint, all);
            if (own.isPresent()) {
                return own.get();
            }
        }
        return DinoV2Config.load(config != null ? config : OLD_CHECKPOINT_CONFIG, all);
    }

    /** An output folder of an eval command: never a checkpoint folder, nor one inside it (its manifest names its files). */
    static void refuseCheckpointFolder(Path out) {
        Path folder = out.toAbsolutePath().normalize();
        for (Path p : new Path[] {folder, folder.getParent()}) {
            if (CheckpointStore.isCheckpointFolder(p)) {
                throw new IllegalArgumentException("--out " + out + " is " + (p.equals(folder) ? "" : "inside ")
                        + "the checkpoint folder " + p + ": write the output elsewhere");
            }
        }
    }

    /** Opens the checkpoint's teacher (features, attention) under {@code trained}. */
    interface TeacherOpener<T> {
        T open(DinoV2Config trained, Path checkpoint) throws IOException;
    }

    /**
     * {@code opener} on the checkpoint; a mismatch says what to give where the configuration was
     * guessed (a checkpoint without config.yaml and no --config).
     */
    <T> T openTeacher(TeacherOpener<T> opener, DinoV2Config trained) throws IOException {
        if ("cuda".equals(trained.compute().backendKind())) {
            // A model trained on a GPU is often evaluated on a machine without one.
            String reason = CudaDevice.unavailableReason();
            if (reason != null) {
                throw new IllegalArgumentException("the configuration of " + checkpoint + " computes on cuda, which this"
                        + " machine cannot use (" + reason + "): give --set compute.backend=dnnl to evaluate on the CPU");
            }
        }
        try {
            return opener.open(trained, checkpoint);
        } catch (CheckpointMismatchException e) {
            if (config != null || DinoV2Session.configFile(checkpoint).isPresent()) {
                throw e;
            }
            throw new IOException(e.getMessage() + " (" + checkpoint + " holds no " + DinoV2Session.CONFIG_FILE + ", so "
                    + OLD_CHECKPOINT_CONFIG + " was assumed: give --config with the configuration it was trained with)", e);
        }
    }

    /**
     * The dataset the checkpoint's job evaluated on ({@code eval.dataset}, else {@code data.dataset});
     * empty without a checkpoint.
     */
    Optional<String> trainedEvaluationDataset() {
        if (checkpoint == null) {
            return Optional.empty();
        }
        DinoV2Config trained = trainedConfig();
        String spec = trained.eval().datasetOr(trained.data().dataset());
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("the configuration of " + checkpoint + " names no dataset (data.dataset,"
                    + " eval.dataset): give --dataset");
        }
        return Optional.of(spec);
    }
}
