package org.dinoj.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.dinoj.model.train.config.DinoV2Config;
import org.junit.jupiter.api.Test;

class TimeBudgetTest {
    /** About what the AVX2 machine measured for the fashion-mnist preset. */
    private static final ScheduleCalibration.Costs COSTS = new ScheduleCalibration.Costs(0.95, 0.8, 1.2, 85, 64);
    private static final TimeBudget.Shape PRESET = new TimeBudget.Shape(100, 500, 100, 10, 3);

    /** Rounds and checkpoints as the workflow and the round activity produce them, step by step. */
    private static long[] simulate(TimeBudget.Shape shape, long total) {
        long rounds = 0;
        long checkpoints = 0;
        long step = 0;
        while (step < total) {
            // PretrainWorkflowImpl#nextRoundEnd
            long end = Math.min(Math.min((step / shape.stepsPerRound() + 1) * shape.stepsPerRound(),
                    (step / shape.stepsPerEpoch() + 1) * shape.stepsPerEpoch()), total);
            rounds++;
            // TrainingActivitiesImpl: a checkpoint at every interval and at the round's end
            for (long s = step + 1; s <= end; s++) {
                if (s % shape.checkpointEverySteps() == 0 || s == end) {
                    checkpoints++;
                }
            }
            step = end;
        }
        return new long[] {rounds, checkpoints};
    }

    @Test
    void roundsAndCheckpointsAreCountedAsTheJobMakesThem() {
        List<TimeBudget.Shape> shapes = List.of(PRESET, new TimeBudget.Shape(1250, 500, 100, 10, 1),
                new TimeBudget.Shape(40, 50, 30, 0, 1), new TimeBudget.Shape(7, 7, 7, 1, 1),
                new TimeBudget.Shape(100, 60, 45, 2, 1));
        for (TimeBudget.Shape shape : shapes) {
            for (int epochs = 1; epochs <= 23; epochs++) {
                long total = epochs * shape.stepsPerEpoch();
                long[] expected = simulate(shape, total);
                assertThat(TimeBudget.rounds(shape, total)).as("rounds of %s, %d epochs", shape, epochs).isEqualTo(expected[0]);
                assertThat(TimeBudget.checkpoints(shape, total)).as("checkpoints of %s, %d epochs", shape, epochs)
                        .isEqualTo(expected[1]);
            }
        }
    }

    @Test
    void evaluationsFallEveryFewEpochsAndOnceAtTheEnd() {
        assertThat(TimeBudget.evaluations(PRESET, 34)).isEqualTo(4);
        assertThat(TimeBudget.evaluations(PRESET, 30)).isEqualTo(3);
        assertThat(TimeBudget.evaluations(PRESET, 7)).isEqualTo(1);
        assertThat(TimeBudget.evaluations(new TimeBudget.Shape(100, 500, 100, 0, 1), 70)).isEqualTo(1);
        assertThat(TimeBudget.evaluations(new TimeBudget.Shape(100, 500, 100, -1, 1), 70)).isZero(); // job.eval_every_epochs: -1
    }

    @Test
    void theFitIsTheLongestScheduleThatStaysUnderTheBudgetLessTheMargin() {
        for (double minutes : new double[] {10, 15, 60, 240}) {
            double seconds = minutes * 60;
            TimeBudget.Fit fit = TimeBudget.fit(COSTS, PRESET, seconds);
            double usable = seconds * (1 - TimeBudget.MARGIN);
            assertThat(fit.predictedSeconds()).isLessThanOrEqualTo(usable)
                    .isEqualTo(TimeBudget.predictSeconds(COSTS, PRESET, fit.epochs()));
            assertThat(TimeBudget.predictSeconds(COSTS, PRESET, fit.epochs() + 1)).isGreaterThan(usable);
            assertThat(fit.steps()).isEqualTo(fit.epochs() * 100L);
            assertThat(fit.evaluations()).isEqualTo(TimeBudget.evaluations(PRESET, fit.epochs()));
        }
        // By hand, an hour: an epoch is 100 steps (95 s), one checkpoint (0.8 s) and one round start
        // (1.2 s): 97 s. Usable: 0.97 * 3600 = 3492 s. 33 epochs need 20 + 33 * 97 + 4 * 85 = 3561 s;
        // 32 epochs 20 + 3104 + 340 = 3464 s.
        assertThat(TimeBudget.fit(COSTS, PRESET, 3600).epochs()).isEqualTo(32);
    }

    /**
     * Two shards train in parallel, so an epoch costs what it costs one, plus a merge per round: the
     * two shards' checkpoints read and the global one written, three checkpoints' time (2.4 s). By
     * hand, an hour: an epoch is 97 s + 2.4 s; 32 epochs need 20 + 32 * 99.4 + 4 * 85 = 3540.8 s, over
     * the 3492 s usable; 31 epochs 3441.4 s.
     */
    @Test
    void severalShardsCostOneShardsStepsAndAMergeEachRound() {
        TimeBudget.Shape twoShards = new TimeBudget.Shape(100, 500, 100, 10, 3, 2);
        assertThat(TimeBudget.mergeSeconds(COSTS, twoShards)).isCloseTo(2.4, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(TimeBudget.mergeSeconds(COSTS, PRESET)).isZero();
        assertThat(TimeBudget.predictSeconds(COSTS, twoShards, 31)).isCloseTo(3441.4, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(TimeBudget.fit(COSTS, twoShards, 3600).epochs()).isEqualTo(31);
        assertThat(TimeBudget.Shape.of(DinoV2Config.load("fashion-mnist", List.of("job.shards=2"))).shards()).isEqualTo(2);
    }

    @Test
    void aLargerBudgetNeverGivesAShorterSchedule() {
        int previous = 0;
        for (int minutes = 8; minutes <= 120; minutes++) {
            int epochs = TimeBudget.fit(COSTS, PRESET, minutes * 60.0).epochs();
            assertThat(epochs).as("%d minutes", minutes).isGreaterThanOrEqualTo(previous);
            previous = epochs;
        }
    }

    @Test
    void aBudgetThatCannotHoldTheWarmUpIsRefusedWithWhatItWouldTake() {
        assertThatThrownBy(() -> TimeBudget.fit(COSTS, PRESET, 4 * 60))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leaves 4.0 minutes")
                .hasMessageContaining("(3 epochs")
                .hasMessageContaining("give a larger time budget");
        // A budget the measurement itself used up reads as nothing left, not as a negative time.
        assertThatThrownBy(() -> TimeBudget.fit(COSTS, PRESET, -6))
                .hasMessageStartingWith("the time budget leaves 0.0 minutes");
    }

    @Test
    void theShapeOfAConfigurationNeedsItsWarmUpAndFrozenLastLayer() {
        DinoV2Config preset = DinoV2Config.load("fashion-mnist", List.of());
        assertThat(TimeBudget.Shape.of(preset)).isEqualTo(new TimeBudget.Shape(100, 500, 100, 10, 3));
        DinoV2Config frozen = DinoV2Config.load("fashion-mnist", List.of("optim.freeze_last_layer_epochs=6",
                "job.eval_every_epochs=0", "job.checkpoint_every_steps=250"));
        assertThat(TimeBudget.Shape.of(frozen)).isEqualTo(new TimeBudget.Shape(100, 500, 250, 0, 6));
    }
}
