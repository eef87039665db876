package org.dinoj.worker.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.time.Duration;
import org.dinoj.model.config.ConfigException;
import org.dinoj.model.config.ConfigLoader;
import org.dinoj.model.train.config.JobConfig;
import org.dinoj.workflows.ActivitySettings;

/**
 * What the orchestration reads from a job's YAML configuration: the {@code job:} section (keys and
 * defaults in {@link JobConfig}) and the two schedule units it shares with the trainer, nothing
 * else, so that any trainer's configuration can be orchestrated. The job's length comes from the
 * trainer's own keys so the two never disagree: {@code optim.epochs} [100] epochs of
 * {@code train.OFFICIAL_EPOCH_LENGTH} [1250] steps (dinov2's {@code OFFICIAL_EPOCH_LENGTH}).
 *
 * @param job the {@code job:} section over {@link JobConfig#defaults()}, checked by JobConfig
 * @param epochs {@code optim.epochs}
 * @param stepsPerEpoch {@code train.OFFICIAL_EPOCH_LENGTH}
 */
public record JobSection(JobConfig job, int epochs, long stepsPerEpoch) {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final int DEFAULT_EPOCHS = 100;
    private static final long DEFAULT_EPOCH_LENGTH = 1250;

    /** Reads the three from one parse of the YAML; a bad value is one ConfigException naming its key. */
    public static JobSection parse(String yaml) {
        JsonNode root = tree(yaml);
        JsonNode epochs = root.at("/optim/epochs");
        JsonNode epochLength = root.at("/train/OFFICIAL_EPOCH_LENGTH");
        return new JobSection(job(root.path("job")),
                epochs.isMissingNode() ? DEFAULT_EPOCHS : positiveInt(epochs, "optim.epochs"),
                epochLength.isMissingNode() ? DEFAULT_EPOCH_LENGTH : positiveInt(epochLength, "train.OFFICIAL_EPOCH_LENGTH"));
    }

    /** The TrainRound activity's queue, heartbeat, timeout and attempts. */
    public ActivitySettings activitySettings() {
        return new ActivitySettings(job.taskQueue(), Duration.ofSeconds(job.heartbeatTimeoutSeconds()),
                Duration.ofHours(job.roundTimeoutHours()), job.maxAttempts());
    }

    private static JobConfig job(JsonNode section) {
        if (section.isMissingNode() || section.isNull()) {
            return JobConfig.defaults();
        }
        try {
            return ConfigLoader.parse(YAML.writeValueAsString(section), JobConfig.defaults());
        } catch (JsonProcessingException e) {
            throw new ConfigException("the job: section cannot be read: " + e.getOriginalMessage(), e);
        } catch (ConfigException e) {
            throw new ConfigException(e.getMessage().replace("config key '", "config key 'job.")
                    .replace("the job's configuration", "the job: section"), e);
        }
    }

    private static int positiveInt(JsonNode n, String key) {
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.intValue() < 1) {
            throw new ConfigException("config key '" + key + "' expects a positive integer, got '" + n.asText() + "'");
        }
        return n.intValue();
    }

    private static JsonNode tree(String yaml) {
        try {
            JsonNode root = YAML.readTree(yaml == null ? "" : yaml);
            return root == null ? YAML.createObjectNode() : root;
        } catch (JsonProcessingException e) {
            throw new ConfigException("the job's configuration is not valid YAML: " + e.getOriginalMessage(), e);
        }
    }
}
