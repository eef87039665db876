package org.dinoj.worker.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.time.Duration;
import org.dinoj.model.config.ConfigException;
import org.dinoj.model.config.ConfigLoader;
import org.dinoj.workflows.ActivitySettings;

/**
 * How a job is cut into rounds and run, read from the {@code job:} section of the job's YAML
 * configuration; the trainer ignores that section and the orchestration reads nothing else but the
 * two schedule units it shares with the trainer. Keys (snake_case, defaults in brackets):
 * <ul>
 *   <li>{@code job.shards} [1]: data shards = workers training in parallel per round (DiLoCo when > 1)</li>
 *   <li>{@code job.steps_per_round} [500]: steps per TrainRound activity (DiLoCo's H)</li>
 *   <li>{@code job.checkpoint_every_steps} [100]: checkpoint interval inside a round</li>
 *   <li>{@code job.eval_every_epochs} [10]: k-NN every this many epochs (0 = only at the end)</li>
 *   <li>{@code job.rounds_per_run} [20]: rounds before the workflow continues as new</li>
 *   <li>{@code job.heartbeat_timeout_seconds} [30]: a round silent for this long is retried elsewhere;
 *       a pause or cancel reaches a round within a quarter of it (at most 2 s)</li>
 *   <li>{@code job.round_timeout_hours} [12], {@code job.max_attempts} [0 = unlimited]</li>
 *   <li>{@code job.task_queue} [dinoj-training]</li>
 *   <li>{@code job.outer_lr} [0.7], {@code job.outer_momentum} [0.9]: DiLoCo's outer Nesterov SGD</li>
 * </ul>
 * The job's length comes from the trainer's own keys so the two never disagree:
 * {@code optim.epochs} [100] epochs of {@code train.OFFICIAL_EPOCH_LENGTH} [1250] steps (dinov2's
 * {@code OFFICIAL_EPOCH_LENGTH}).
 */
public record OrchestrationConfig(int shards, long stepsPerRound, long checkpointEverySteps, int evalEveryEpochs,
                                  int roundsPerRun, int heartbeatTimeoutSeconds, int roundTimeoutHours, int maxAttempts,
                                  String taskQueue, double outerLr, double outerMomentum) {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final int DEFAULT_EPOCHS = 100;
    private static final long DEFAULT_EPOCH_LENGTH = 1250;

    public static OrchestrationConfig defaults() {
        return new OrchestrationConfig(1, 500, 100, 10, 20, 30, 12, 0, ActivitySettings.DEFAULT_TASK_QUEUE, 0.7, 0.9);
    }

    /** The {@code job:} section of a job's configuration over the defaults. */
    public static OrchestrationConfig fromJobConfig(String yaml) {
        JsonNode job = tree(yaml).path("job");
        if (job.isMissingNode() || job.isNull()) {
            return defaults();
        }
        try {
            return ConfigLoader.parse(YAML.writeValueAsString(job), defaults());
        } catch (JsonProcessingException e) {
            throw new ConfigException("the job: section cannot be read: " + e.getOriginalMessage(), e);
        } catch (ConfigException e) {
            throw new ConfigException(e.getMessage().replace("config key '", "config key 'job.")
                    .replace("the job's configuration", "the job: section"), e);
        }
    }

    /** {@code optim.epochs}. */
    public static int epochs(String yaml) {
        JsonNode n = tree(yaml).at("/optim/epochs");
        return n.isMissingNode() ? DEFAULT_EPOCHS : positiveInt(n, "optim.epochs");
    }

    /** {@code train.OFFICIAL_EPOCH_LENGTH}. */
    public static long stepsPerEpoch(String yaml) {
        JsonNode n = tree(yaml).at("/train/OFFICIAL_EPOCH_LENGTH");
        return n.isMissingNode() ? DEFAULT_EPOCH_LENGTH : positiveInt(n, "train.OFFICIAL_EPOCH_LENGTH");
    }

    public ActivitySettings activitySettings() {
        return new ActivitySettings(taskQueue, Duration.ofSeconds(heartbeatTimeoutSeconds),
                Duration.ofHours(roundTimeoutHours), maxAttempts);
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
