package org.dinoj.worker.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dinoj.model.config.ConfigLoader;
import org.dinoj.model.data.Datasets;
import org.dinoj.model.train.TrainingSessionFactory;
import org.dinoj.model.train.config.JobConfig;
import org.dinoj.worker.activities.CheckpointLayout;
import org.dinoj.worker.temporal.TrainingServices;
import org.dinoj.workflows.CheckpointRef;
import org.dinoj.workflows.JobSpec;

/**
 * Builds job specs from a resolved YAML configuration: the spec stores the text, the orchestration its
 * numbers. The trainer on the class path checks its keys first.
 */
public final class JobSpecs {
    private JobSpecs() {
    }

    /**
     * @param config resolved YAML text (preset or file with overrides applied)
     * @param jobDirectory the job's checkpoint store (becomes a file: URI)
     * @param baseCheckpoint checkpoint to retrain from, or null
     */
    public static JobSpec create(String jobId, String config, Path jobDirectory, CheckpointRef baseCheckpoint) {
        return create(jobId, config, jobDirectory, baseCheckpoint, 0);
    }

    /**
     * A job whose length its workflow sizes to {@code timeBudgetSeconds} before training (0: the
     * configuration's {@code optim.epochs}).
     */
    public static JobSpec create(String jobId, String config, Path jobDirectory, CheckpointRef baseCheckpoint,
                                 double timeBudgetSeconds) {
        JobRegistry.checkJobId(jobId);
        config = anchoredDatasets(config, Path.of("").toAbsolutePath());
        JobSection section = JobSection.parse(config);
        // The trainer's own keys too: a bad one is refused here, before a job is recorded or started.
        TrainingSessionFactory sessions = TrainingServices.load().sessions();
        sessions.check(config);
        if (baseCheckpoint != null) {
            // A retraining whose model cannot take its base's weights would fail in its first round.
            sessions.checkBase(config, CheckpointLayout.directory(baseCheckpoint));
        }
        JobConfig job = section.job();
        String summary = JobSpec.summary(section.epochs(), section.stepsPerEpoch(), job.shards(), job.stepsPerRound());
        return new JobSpec(jobId, jobId, config, summary, storeUri(jobDirectory),
                baseCheckpoint, job.shards(), section.epochs(), section.stepsPerEpoch(), job.stepsPerRound(),
                job.checkpointEverySteps(), job.evalEveryEpochs(), job.roundsPerRun(), section.activitySettings(),
                timeBudgetSeconds);
    }

    /**
     * {@code config} with a relative {@code folder:} or {@code idx:} directory in {@code data.dataset}
     * or {@code eval.dataset} made absolute against {@code base} (the submitting shell's directory): the
     * job's workers, a resume from another shell and {@code eval} of its checkpoints read the job's
     * config.yaml elsewhere. The text is rewritten only when a path changes.
     */
    static String anchoredDatasets(String config, Path base) {
        JsonNode tree = ConfigLoader.tree(config);
        List<String> overrides = new ArrayList<>();
        for (String section : List.of("data", "eval")) {
            JsonNode spec = tree.path(section).path("dataset");
            if (spec.isTextual()) {
                String anchored = Datasets.anchored(spec.textValue(), base);
                if (!anchored.equals(spec.textValue())) {
                    overrides.add(section + ".dataset=\"" + anchored.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
                }
            }
        }
        return overrides.isEmpty() ? config : ConfigLoader.withOverrides(config, overrides);
    }

    /**
     * The checkpoint store's URI, without the trailing '/' that {@link Path#toUri} adds only for a
     * directory that exists already: one form, whatever was on disk when the job was made.
     */
    static String storeUri(Path jobDirectory) {
        String uri = jobDirectory.toAbsolutePath().normalize().toUri().toString();
        return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    }
}
