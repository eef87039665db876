package org.dinoj.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.dinoj.model.train.config.DinoV2Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduleCalibrationTest {
    @TempDir
    Path dir;

    @Test
    void measuresEveryPartOfAJobAndLeavesNothingBehind() throws Exception {
        DinoV2Config config = DinoV2Config.load("tiny-test", List.of("data.dataset=synthetic:256:16x16x1"));
        Path scratch = dir.resolve(".time-budget-test");
        ScheduleCalibration.Costs costs = ScheduleCalibration.measure(config, scratch, 0.5);
        assertThat(costs.stepSeconds()).isPositive().isLessThan(0.5);
        assertThat(costs.imagesPerSecond()).isCloseTo(4 / costs.stepSeconds(), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(costs.checkpointSeconds()).isPositive();
        assertThat(costs.roundStartSeconds()).isGreaterThanOrEqualTo(0);
        assertThat(costs.evaluationSeconds()).isPositive();
        assertThat(scratch).doesNotExist();
        assertThat(dir).isEmptyDirectory();
    }

    /** Each shard trains its own steps of the same size: the job is timed as one of them. */
    @Test
    void aJobOfSeveralShardsIsTimedAsOneOfThem() throws Exception {
        DinoV2Config config = DinoV2Config.load("tiny-test", List.of("data.dataset=synthetic:256:16x16x1", "job.shards=2",
                "job.eval_every_epochs=-1"));
        ScheduleCalibration.Costs costs = ScheduleCalibration.measure(config, dir.resolve("x"), 0.3);
        assertThat(costs.stepSeconds()).isPositive().isLessThan(0.5);
        assertThat(costs.evaluationSeconds()).isZero();
    }
}
