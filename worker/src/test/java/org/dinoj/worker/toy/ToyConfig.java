package org.dinoj.worker.toy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.dinoj.model.config.ConfigException;

/**
 * The {@code toy:} section of a job configuration, for the toy session (a test double of the model).
 *
 * @param dim weights per tensor
 * @param stepMillis sleep per step, so that jobs take a measurable time
 * @param lr learning rate of the toy SGD with momentum
 * @param nanAtStep the step (1-based: the step being computed) that produces a non-finite loss, or -1
 * @param nanRepeats how many times in a row that step fails within one session
 * @param nanClearsAtLrScale the failure stops once the learning-rate scale is at or below this (0: never)
 * @param nanClearsAtBaseLr the failure stops once {@code optim.base_lr} times the learning-rate scale
 *     is at or below this (0: never), as a diverging job's does with a lower learning rate
 * @param baseLr {@code optim.base_lr} (0 when not set); the toy's own SGD uses {@code lr}
 * @param totalSteps optim.epochs x train.OFFICIAL_EPOCH_LENGTH
 * @param diskFullWhileExists while this file exists, every checkpoint write fails half-way with
 *     "No space left on device" (a full disk that an operator later frees), or null
 */
public record ToyConfig(int dim, long stepMillis, double lr, long nanAtStep, int nanRepeats, double nanClearsAtLrScale,
                        double nanClearsAtBaseLr, double baseLr, long totalSteps, String diskFullWhileExists) {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public static ToyConfig parse(String yaml) {
        try {
            JsonNode root = YAML.readTree(yaml == null ? "" : yaml);
            JsonNode toy = root == null ? YAML.createObjectNode() : root.path("toy");
            long epochs = root == null ? 100 : root.at("/optim/epochs").asLong(100);
            long epochLength = root == null ? 1250 : root.at("/train/OFFICIAL_EPOCH_LENGTH").asLong(1250);
            int dim = toy.path("dim").asInt(4);
            if (dim < 1) {
                throw new ConfigException("config key 'toy.dim' expects a positive integer, got '" + toy.path("dim").asText() + "'");
            }
            // As the DINOv2 trainer's OptimConfig: a rule across keys that a retry's override can break.
            long warmup = root == null ? 0 : root.at("/optim/warmup_epochs").asLong(0);
            if (warmup > epochs) {
                throw new ConfigException("optim.warmup_epochs is " + warmup + "; it must lie in [0, optim.epochs = " + epochs + "]");
            }
            return new ToyConfig(dim, toy.path("step_millis").asLong(0), toy.path("lr").asDouble(0.1),
                    toy.path("nan_at_step").asLong(-1), toy.path("nan_repeats").asInt(1),
                    toy.path("nan_clears_at_lr_scale").asDouble(0), toy.path("nan_clears_at_base_lr").asDouble(0),
                    root == null ? 0 : root.at("/optim/base_lr").asDouble(0), epochs * epochLength,
                    toy.hasNonNull("disk_full_while_exists") ? toy.get("disk_full_while_exists").asText() : null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
