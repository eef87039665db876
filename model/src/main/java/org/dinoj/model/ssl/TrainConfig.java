package org.dinoj.model.ssl;

import static org.dinoj.model.ssl.DinoConfig.requirePositive;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The recipe-relevant {@code train.*} keys of dinov2's {@code ssl_default_config.yaml}, with its
 * defaults. Paths, worker counts and caching ({@code dataset_path}, {@code output_dir},
 * {@code num_workers}, {@code cache_dataset}, the unused {@code saveckp_freq}) belong to the job
 * spec, not here.
 *
 * @param batchSizePerGpu {@code train.batch_size_per_gpu}: images per process and step
 * @param officialEpochLength {@code train.OFFICIAL_EPOCH_LENGTH} (upper case, as dinov2 spells it): iterations
 *     per "epoch", the unit of every schedule
 * @param centering {@code train.centering}
 * @param seed {@code train.seed}
 */
public record TrainConfig(int batchSizePerGpu,
                          @JsonProperty("OFFICIAL_EPOCH_LENGTH") int officialEpochLength, CenteringMode centering, long seed) {

    public TrainConfig {
        requirePositive("train.batch_size_per_gpu", batchSizePerGpu);
        requirePositive("train.OFFICIAL_EPOCH_LENGTH", officialEpochLength);
        if (centering == null) {
            throw new IllegalArgumentException("train.centering is missing; use centering or sinkhorn_knopp");
        }
    }

    public static TrainConfig defaults() {
        return new TrainConfig(64, 1250, CenteringMode.CENTERING, 0);
    }
}
