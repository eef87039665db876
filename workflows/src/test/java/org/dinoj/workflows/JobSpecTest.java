package org.dinoj.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A job's length changes (update, time budget, schedule firing) keep the rest of the job and its summary true. */
class JobSpecTest {
    private static final ActivitySettings ACTIVITIES = new ActivitySettings("q", Duration.ofSeconds(30),
            Duration.ofHours(1), 0);

    private static JobSpec job(String summary, int shards, double budgetSeconds) {
        return new JobSpec("j", "j", "model: tiny", summary, "file:///ckpt/j", null, shards, 70, 100, 500, 100, 10, 20,
                ACTIVITIES, budgetSeconds);
    }

    @Test
    void aNewLengthRewritesTheSummaryMadeFromItAndKeepsAPendingBudget() {
        JobSpec spec = job(JobSpec.summary(70, 100, 1, 500), 1, 3600);
        assertThat(spec.configSummary()).isEqualTo("70 epochs x 100 steps, 1 shard(s), rounds of 500 steps");

        JobSpec longer = spec.withEpochs(90);
        assertThat(longer.epochs()).isEqualTo(90);
        assertThat(longer.totalSteps()).isEqualTo(9000);
        assertThat(longer.configSummary()).isEqualTo("90 epochs x 100 steps, 1 shard(s), rounds of 500 steps");
        assertThat(longer.timeBudgetSeconds()).isEqualTo(3600);
        assertThat(longer.withEpochs(70)).isEqualTo(spec);
    }

    @Test
    void aSizedJobHasNoBudgetLeftToSizeAndAnotherSummaryIsKept() {
        JobSpec sized = job("my summary", 1, 3600).sizedTo(32);
        assertThat(sized.epochs()).isEqualTo(32);
        assertThat(sized.timeBudgetSeconds()).isZero();
        assertThat(sized.configSummary()).isEqualTo("my summary");
    }

    @Test
    void aScheduledFiringKeepsTheTemplatesBudget() {
        JobSpec firing = job("t", 1, 7200).forJob("j-20300102-0304", "file:///ckpt/j-20300102-0304");
        assertThat(firing.jobId()).isEqualTo("j-20300102-0304");
        assertThat(firing.timeBudgetSeconds()).isEqualTo(7200);
        assertThat(firing.epochs()).isEqualTo(70);
    }

    @Test
    void aBudgetIsNeverNegativeAndSizesJobsOfSeveralShardsToo() {
        assertThat(job("t", 2, 600).timeBudgetSeconds()).isEqualTo(600);
        assertThatThrownBy(() -> job("t", 1, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the time budget must be >= 0 seconds, got -1.0");
        assertThat(job("t", 2, 0).shards()).isEqualTo(2);
    }
}
