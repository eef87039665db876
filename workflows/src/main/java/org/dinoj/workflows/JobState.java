package org.dinoj.workflows;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a job carries across continue-as-new: counters and references only. Unknown fields are
 * ignored and a null deadline is not written, so workers one version apart read each other's state.
 *
 * @param step global step of {@code checkpoint} (all shards agree at round boundaries); 0 while
 *     {@code checkpoint} is a retraining's base, whose step is another job's
 * @param checkpoint the latest global checkpoint, null before the first one
 * @param roundEnd end step of a round that was interrupted (pause, cancel; a restart or retry of a job
 *     with several shards), else 0
 * @param shardResume per shard, where an interrupted round stopped (null entries: from {@code checkpoint})
 * @param round rounds started so far
 * @param paused whether the job was paused when it continued as new
 * @param refusedSteps non-finite steps refused so far, as the round attempts that returned report
 *     them (each refusal applies nothing; refusals in a row reopen the last checkpoint, then halve the
 *     learning rate). A crashed attempt's refusals are not counted, and a job restarted from the
 *     registry counts from 0.
 * @param schedule how the job's time budget sized its length (what was measured, what was
 *     predicted, and whether it was shortened since), or null for a job without one
 * @param deadline when the job must end to keep to its time budget, while it is kept to it: from its
 *     sizing until a pause, a length someone set, or a restart from the registry; else null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record JobState(long step, CheckpointRef checkpoint, long roundEnd, List<CheckpointRef> shardResume, int round,
                       int lastEvalEpoch, EvalResult lastEval, TrainingMetrics lastMetrics, boolean paused,
                       double secondsPerStep, int refusedSteps, String schedule,
                       @JsonInclude(JsonInclude.Include.NON_NULL) BudgetDeadline deadline) {

    public JobState {
        // List.copyOf refuses null entries; shards without a resume point are null.
        shardResume = shardResume == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(shardResume));
    }

    public static JobState start(JobSpec spec) {
        CheckpointRef base = spec.baseCheckpoint();
        // Retraining starts the schedules from zero on top of the base weights.
        return new JobState(0, base, 0, List.of(), 0, 0, null, null, false, -1, 0, null, null);
    }

    JobState withRoundDone(long newStep, CheckpointRef newCheckpoint, TrainingMetrics metrics, double newSecondsPerStep,
                           int newlyRefused) {
        return new JobState(newStep, newCheckpoint, 0, List.of(), round + 1, lastEvalEpoch, lastEval, metrics, paused,
                newSecondsPerStep, refusedSteps + newlyRefused, schedule, deadline);
    }

    JobState withInterruptedRound(long end, List<CheckpointRef> resume, int newlyRefused) {
        return new JobState(step, checkpoint, end, resume, round, lastEvalEpoch, lastEval, lastMetrics, paused,
                secondsPerStep, refusedSteps + newlyRefused, schedule, deadline);
    }

    JobState withEval(EvalResult eval) {
        return new JobState(step, checkpoint, roundEnd, shardResume, round, eval.epoch(), eval, lastMetrics, paused,
                secondsPerStep, refusedSteps, schedule, deadline);
    }

    JobState withPaused(boolean nowPaused) {
        return new JobState(step, checkpoint, roundEnd, shardResume, round, lastEvalEpoch, lastEval, lastMetrics,
                nowPaused, secondsPerStep, refusedSteps, schedule, deadline);
    }

    /** The state with how a time budget sized the job: its workflow's, or the registry's for a restarted job. */
    public JobState withSchedule(String sizing) {
        return new JobState(step, checkpoint, roundEnd, shardResume, round, lastEvalEpoch, lastEval, lastMetrics, paused,
                secondsPerStep, refusedSteps, sizing, deadline);
    }

    /** The state kept to {@code newDeadline}, or to none (null). */
    JobState withDeadline(BudgetDeadline newDeadline) {
        return new JobState(step, checkpoint, roundEnd, shardResume, round, lastEvalEpoch, lastEval, lastMetrics, paused,
                secondsPerStep, refusedSteps, schedule, newDeadline);
    }
}
