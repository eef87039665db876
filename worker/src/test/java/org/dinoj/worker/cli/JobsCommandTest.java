package org.dinoj.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.dinoj.workflows.CheckpointRef;
import org.dinoj.workflows.EvalResult;
import org.dinoj.workflows.JobResult;
import org.dinoj.workflows.JobStatus;
import org.dinoj.workflows.TrainingMetrics;
import org.junit.jupiter.api.Test;

/** {@code jobs status} of a job whose workflow has ended: read from its result, no worker needed. */
class JobsCommandTest {

    @Test
    void aClosedJobShowsItsEndStateLastStepEvaluationAndFinalCheckpoint() {
        JobResult result = new JobResult("fm-1", JobStatus.COMPLETED, 1500,
                new CheckpointRef("file:///ckpt/fm-1/shard-0/step-0000001500/", "ab12", 1500),
                new EvalResult(15, 1500, 20, 88.25, 99.1),
                new TrainingMetrics(1500, 6.5, Map.of("dino_local_crops_loss", 3.0), 1.5e-6, 1.0, 31.4));

        String text = JobsCommand.closedText(result);

        assertThat(text).startsWith("fm-1: completed at step 1500\n")
                .contains("last step: loss 6.5000, lr 1.50e-06, 31.4 img/s")
                .contains("last k-NN (epoch 15, k=20): top-1 88.25%, top-5 99.10%")
                .contains("final checkpoint: step 1500  file:///ckpt/fm-1/shard-0/step-0000001500/");
    }

    @Test
    void aJobCancelledBeforeAnyEvaluationSaysSoWithoutEmptyLines() {
        JobResult result = new JobResult("fm-2", JobStatus.CANCELLED, 40, null, null, null);

        assertThat(JobsCommand.closedText(result)).isEqualTo("fm-2: cancelled at step 40\n");
    }
}
