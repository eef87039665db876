package org.dinoj.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.dinoj.model.config.ConfigException;
import org.dinoj.model.train.config.JobConfig;
import org.dinoj.workflows.ActivitySettings;
import org.junit.jupiter.api.Test;

class JobSectionTest {
    @Test
    void aConfigurationWithoutAJobSectionGetsTheDefaults() {
        String yaml = "student:\n  depth: 2\n";
        assertThat(JobSection.parse(yaml)).isEqualTo(new JobSection(JobConfig.defaults(), 100, 1250));
    }

    @Test
    void aJobsDefaultQueueIsTheQueueAWorkerPollsByDefault() {
        // the model module cannot see ActivitySettings, so the two defaults are two literals
        assertThat(JobConfig.defaults().taskQueue()).isEqualTo(ActivitySettings.DEFAULT_TASK_QUEUE);
    }

    @Test
    void theJobSectionOverlaysTheDefaultsKeyByKey() {
        String yaml = """
                optim:
                  epochs: 3
                train:
                  OFFICIAL_EPOCH_LENGTH: 40
                job:
                  shards: 2
                  steps_per_round: 50
                  heartbeat_timeout_seconds: 12
                  task_queue: gpu-pool
                """;
        JobSection section = JobSection.parse(yaml);
        JobConfig job = section.job();
        assertThat(job.shards()).isEqualTo(2);
        assertThat(job.stepsPerRound()).isEqualTo(50);
        assertThat(job.checkpointEverySteps()).isEqualTo(JobConfig.defaults().checkpointEverySteps());
        assertThat(section.epochs()).isEqualTo(3);
        assertThat(section.stepsPerEpoch()).isEqualTo(40);
        assertThat(section.activitySettings())
                .isEqualTo(new ActivitySettings("gpu-pool", Duration.ofSeconds(12), Duration.ofHours(12), 0));
    }

    @Test
    void badValuesAndUnknownKeysAreRefusedWithTheirKeyNamed() {
        assertThatThrownBy(() -> JobSection.parse("job:\n  shards: 0\n"))
                .isInstanceOf(ConfigException.class).hasMessage("the job: section: job.shards must be >= 1, got 0");
        assertThatThrownBy(() -> JobSection.parse("job:\n  checkpoint_every_steps: 0\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("the job: section: job.checkpoint_every_steps must be >= 1, got 0");
        assertThatThrownBy(() -> JobSection.parse("job:\n  max_attempts: -2\n"))
                .isInstanceOf(ConfigException.class).hasMessage("the job: section: job.max_attempts must be >= 0, got -2");
        assertThatThrownBy(() -> JobSection.parse("job:\n  outer_momentum: 1.5\n"))
                .isInstanceOf(ConfigException.class).hasMessage("the job: section: job.outer_momentum must lie in [0, 1), got 1.5");
        assertThatThrownBy(() -> JobSection.parse("job:\n  shard: 2\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown config key 'job.shard'");
        assertThatThrownBy(() -> JobSection.parse("optim:\n  epochs: 0\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("optim.epochs");
    }
}
