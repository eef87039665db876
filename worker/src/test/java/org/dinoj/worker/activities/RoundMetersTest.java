package org.dinoj.worker.activities;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dinoj.worker.metrics.PrometheusMetrics;
import org.dinoj.worker.toy.ToyEvaluator;
import org.dinoj.worker.toy.ToyTrainingSessionFactory;
import org.dinoj.workflows.TrainRoundRequest;
import org.dinoj.workflows.TrainRoundResult;
import org.dinoj.workflows.TrainingActivities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A round's meters as Prometheus scrapes them, against what the round itself reports. */
class RoundMetersTest {
    private static final String CONFIG = "optim: {epochs: 1}\ntrain: {OFFICIAL_EPOCH_LENGTH: 30}\ntoy: {dim: 3}\n";

    @TempDir
    Path dir;

    @Test
    void aRoundReportsItsStepsLossThroughputAndCheckpointsToTheRegistry() {
        TestActivityEnvironment env = TestActivityEnvironment.newInstance();
        try (PrometheusMetrics metrics = PrometheusMetrics.createAndInstall()) {
            env.registerActivitiesImplementations(new TrainingActivitiesImpl(new ToyTrainingSessionFactory(),
                    new ToyEvaluator(), new TrainingPolicy(5, 3, 2)));
            TrainingActivities a = env.newActivityStub(TrainingActivities.class, ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofMinutes(1))
                    .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build()).build());
            TrainRoundResult r = a.trainRound(new TrainRoundRequest("metered", CONFIG, dir.toUri().toString(), 0, 0, 1,
                    null, 30, 10, 0));
            String text = metrics.scrape();

            String tags = "job=\"metered\",shard=\"0\"";
            assertThat(value(text, "dinoj_step_seconds_count", tags)).isEqualTo(30);
            assertThat(value(text, "dinoj_step", tags)).isEqualTo(30);
            // The gauges hold the last step's values, which are also the round's result metrics.
            assertThat(value(text, "dinoj_loss", tags)).isEqualTo(r.metrics().loss());
            assertThat(value(text, "dinoj_images_per_second", tags)).isEqualTo(r.metrics().imagesPerSecond());
            assertThat(value(text, "dinoj_learning_rate", tags)).isEqualTo(r.metrics().learningRate());
            assertThat(value(text, "dinoj_loss_term", tags + ",term=\"dino_global_crops_loss\"")).isEqualTo(r.metrics().loss());
            // Checkpoints at 10, 20 and 30, each a few hundred bytes of toy tensors and JSON.
            assertThat(value(text, "dinoj_checkpoint_write_seconds_count", tags)).isEqualTo(3);
            assertThat(value(text, "dinoj_checkpoint_size_bytes_count", tags)).isEqualTo(3);
            assertThat(value(text, "dinoj_checkpoint_size_bytes_sum", tags)).isGreaterThan(3 * 100);
        } finally {
            env.close();
        }
    }

    @Test
    void aWorkerServesTheMetersOfItsMostRecentJobsOnly() {
        try (PrometheusMetrics metrics = PrometheusMetrics.createAndInstall()) {
            for (int j = 0; j <= RoundMeters.JOBS_KEPT; j++) {
                new RoundMeters("job-" + j, 0);
            }
            new RoundMeters("job-1", 1); // trained again: not the least recent any more
            new RoundMeters("job-extra", 0);
            String text = metrics.scrape();
            assertThat(text).doesNotContain("job=\"job-0\"").doesNotContain("job=\"job-2\"")
                    .contains("dinoj_step{job=\"job-1\",shard=\"1\"}").contains("dinoj_step{job=\"job-3\",shard=\"0\"}")
                    .contains("dinoj_step{job=\"job-extra\",shard=\"0\"}");
            // Asked for again, a forgotten job's meters are served afresh.
            new RoundMeters("job-0", 0);
            assertThat(metrics.scrape()).contains("dinoj_step{job=\"job-0\",shard=\"0\"}");
        }
    }

    /** The value of the sample {@code name{tags}} in Prometheus text; fails when it is absent. */
    static double value(String text, String name, String tags) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{" + Pattern.quote(tags) + "\\} (\\S+)$")
                .matcher(text);
        assertThat(m.find()).as(name + "{" + tags + "} in\n" + text).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
