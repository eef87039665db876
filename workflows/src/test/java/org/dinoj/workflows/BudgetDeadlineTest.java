package org.dinoj.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a job kept to its time budget predicts and chooses at a round's end. */
class BudgetDeadlineTest {
    /** Due at 1000 s; 2 warm-up epochs; a k-NN takes 10 s. */
    private static final BudgetDeadline DEADLINE = new BudgetDeadline(1_000_000, 2, 10, List.of(), "sized");

    @Test
    void thePaceIsTheMedianOfTheLastThreeRoundsOnceThreeWereTimed() {
        BudgetDeadline d = DEADLINE.withRoundPace(1.0).withRoundPace(5.0);
        assertThat(d.pace()).isEqualTo(-1);
        // A crash slows one round: outvoted.
        d = d.withRoundPace(1.2);
        assertThat(d.pace()).isEqualTo(1.2);
        // Two slow rounds in a row: that is the pace now.
        d = d.withRoundPace(4.0);
        assertThat(d.recentPaces()).containsExactly(5.0, 1.2, 4.0);
        assertThat(d.pace()).isEqualTo(4.0);
    }

    @Test
    void aJobThatFitsKeepsItsLength() {
        // At step 100 of 10 epochs x 100 steps: 900 steps and the evaluations at epochs 2..10.
        assertThat(DEADLINE.predictSeconds(100, 100, 10, 1, 1.0)).isEqualTo(900 + 9 * 10);
        // 1000 s left, 965 usable: 990 s do not fit; 9 epochs (800 + 80 s) do, and at 0.5 s a step all 10 (450 + 90 s).
        assertThat(DEADLINE.epochsWithin(0, 100, 100, 10, 1, 1.0)).isEqualTo(9);
        assertThat(DEADLINE.epochsWithin(0, 100, 100, 10, 1, 0.5)).isEqualTo(10);
    }

    @Test
    void aJobBehindBecomesTheLongestThatStillFitsWithItsMarginAndClosing() {
        // 400 s left: usable 400 * 0.97 - 5 = 383 s. 4 epochs take 300 + 3 * 10 = 330 s, 5 take 440 s.
        assertThat(DEADLINE.epochsWithin(600_000, 100, 100, 10, 1, 1.0)).isEqualTo(4);
        // Evaluations only at the end (0): 4 epochs 310 s, 5 epochs 410 s.
        assertThat(DEADLINE.epochsWithin(600_000, 100, 100, 10, 0, 1.0)).isEqualTo(4);
    }

    @Test
    void neverShorterThanTheEpochBegunOrTheWarmUps() {
        // Past the deadline: the epoch under way (step 350 is in epoch 4) is the shortest it can be.
        assertThat(DEADLINE.epochsWithin(2_000_000, 350, 100, 10, 1, 1.0)).isEqualTo(4);
        // Early on, the configuration's warm-ups bound it.
        assertThat(DEADLINE.epochsWithin(2_000_000, 50, 100, 10, 1, 1.0)).isEqualTo(2);
        // And it never grows: a one-epoch job stays one epoch.
        assertThat(DEADLINE.epochsWithin(2_000_000, 50, 100, 1, 1, 1.0)).isEqualTo(1);
    }

    @Test
    void evaluationsStillToComeCountTheFinalOneOnlyOffTheGrid() {
        assertThat(BudgetDeadline.evaluationsAfter(3, 10, 2)).isEqualTo(4); // 4, 6, 8, 10
        assertThat(BudgetDeadline.evaluationsAfter(4, 9, 2)).isEqualTo(3); // 6, 8, and the end at 9
        assertThat(BudgetDeadline.evaluationsAfter(4, 9, 0)).isEqualTo(1);
        assertThat(BudgetDeadline.evaluationsAfter(4, 9, -1)).isZero();
    }
}
