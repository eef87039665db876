package org.dinoj.worker.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dinoj.worker.report.JobHistory.StepRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobHistoryTest {
    @TempDir
    Path store;

    private static StepRecord step(int shard, long step, double loss) {
        return new StepRecord(shard, step, 1_000L * step, loss, Map.of("dino_local_crops_loss", loss / 2), 1e-3, 50);
    }

    private List<StepRecord> newest() throws IOException {
        List<StepRecord> out = new ArrayList<>();
        new JobHistory(store).forEachNewestStep(out::add);
        return out;
    }

    /** Steps 1-6 (loss 10 + step), step 7 cut short and then {@code after}, then steps 5-8 again (loss 20 + step). */
    private JobHistory firstAttemptCutShortAtStep7ThenARetryFromStep4(String after) throws IOException {
        JobHistory h = new JobHistory(store);
        for (long s = 1; s <= 6; s++) {
            h.appendStep(step(0, s, 10 + s));
        }
        Files.writeString(store.resolve("history/steps-shard-0.jsonl"), "{\"shard\":0,\"step\":7,\"timeMil" + after,
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        for (long s = 5; s <= 8; s++) {
            h.appendStep(step(0, s, 20 + s));
        }
        return h;
    }

    @Test
    void aRetriedRoundsStepsReplaceTheFirstAttemptsAndALineCutShortIsSkipped() throws IOException {
        // The first attempt died writing step 7; the retry starts again from the checkpoint at step 4.
        JobHistory h = firstAttemptCutShortAtStep7ThenARetryFromStep4("\n\n");
        // A second retry from step 2 that got only as far as step 3.
        for (long s = 3; s <= 3; s++) {
            h.appendStep(step(0, s, 30 + s));
        }
        h.appendStep(step(1, 1, 5));

        List<StepRecord> got = newest();
        assertThat(got).extracting(StepRecord::shard, StepRecord::step, StepRecord::loss).containsExactly(
                tuple(0, 1L, 11.0), tuple(0, 2L, 12.0),
                tuple(0, 4L, 14.0), tuple(0, 5L, 25.0),
                tuple(0, 6L, 26.0), tuple(0, 7L, 27.0),
                tuple(0, 8L, 28.0), tuple(0, 3L, 33.0),
                tuple(1, 1L, 5.0));
        assertThat(got.getFirst().terms()).containsEntry("dino_local_crops_loss", 5.5);
    }

    @Test
    void aRetrysLineAppendedToALineCutShortLeavesTheStepsEarlierLine() throws IOException {
        // Cut short without its newline: the retry (from step 4) appends its first line onto it.
        firstAttemptCutShortAtStep7ThenARetryFromStep4("");
        assertThat(newest()).extracting(StepRecord::step, StepRecord::loss).containsExactly(
                tuple(1L, 11.0), tuple(2L, 12.0), tuple(3L, 13.0), tuple(4L, 14.0), tuple(5L, 15.0),
                tuple(6L, 26.0), tuple(7L, 27.0), tuple(8L, 28.0));
        assertThat(JobHistory.stepOf("{\"shard\":0,\"step\":12345678901,\"loss\":1}")).as("past an int").isEqualTo(-1);
        assertThat(JobHistory.stepOf("{\"shard\":0,\"step\":12x,\"loss\":1}")).isEqualTo(-1);
        assertThat(JobHistory.stepOf("{\"shard\":0,\"step\":12,\"loss\":1}")).isEqualTo(12);
    }

    @Test
    void stepsBelowTheFirstOneAFileWroteAreKeptToo() throws IOException {
        JobHistory h = new JobHistory(store);
        // A job resumed from a checkpoint whose own steps were recorded elsewhere, then rewound further.
        h.appendStep(step(0, 500, 1));
        h.appendStep(step(0, 501, 2));
        h.appendStep(step(0, 3, 3));
        h.appendStep(step(0, 500, 4));
        assertThat(newest()).extracting(StepRecord::step, StepRecord::loss).containsExactly(
                tuple(501L, 2.0), tuple(3L, 3.0),
                tuple(500L, 4.0));
    }

    @Test
    void aStoreWithoutHistoryHasNoSteps() throws IOException {
        assertThat(newest()).isEmpty();
        assertThat(new JobHistory(store).evals()).isEmpty();
    }
}
