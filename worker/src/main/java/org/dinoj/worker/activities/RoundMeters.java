package org.dinoj.worker.activities;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dinoj.model.checkpoint.Checkpoint;
import org.dinoj.model.metrics.MeterFactory;
import org.dinoj.model.metrics.Meters;
import org.dinoj.model.train.StepResult;

/**
 * The training meters of one shard of one job, tagged {@code job} and {@code shard}: what the
 * last step reported (images/s, loss and its terms, learning rate, teacher momentum, step), how
 * long steps and checkpoint writes take, checkpoint sizes and refused steps. Looked up once per
 * round; recording allocates nothing but a loss term's first gauge.
 */
final class RoundMeters {
    /**
     * Jobs whose meters a worker keeps, the most recently trained: a worker that lives through many
     * jobs (a schedule's, say) would otherwise serve a series per meter of every job it ever trained.
     */
    static final int JOBS_KEPT = 16;
    /** Job ids in the order their rounds last started here, the least recent first. */
    private static final LinkedHashMap<String, Boolean> RECENT_JOBS = new LinkedHashMap<>(16, 0.75f, true);

    private final MeterFactory factory;
    private final String job;
    private final String shard;
    private final MeterFactory.Gauge imagesPerSecond;
    private final MeterFactory.Gauge loss;
    private final MeterFactory.Gauge learningRate;
    private final MeterFactory.Gauge teacherMomentum;
    private final MeterFactory.Gauge step;
    private final MeterFactory.Timer stepTime;
    private final MeterFactory.Timer checkpointWriteTime;
    private final MeterFactory.Summary checkpointSize;
    private final MeterFactory.Counter refusedSteps;
    private final Map<String, MeterFactory.Gauge> lossTerms = new HashMap<>();

    RoundMeters(String jobId, int shardIndex) {
        this.factory = Meters.factory();
        this.job = jobId;
        this.shard = Integer.toString(shardIndex);
        synchronized (RECENT_JOBS) {
            RECENT_JOBS.put(jobId, Boolean.TRUE);
            while (RECENT_JOBS.size() > JOBS_KEPT) {
                String oldest = RECENT_JOBS.keySet().iterator().next();
                RECENT_JOBS.remove(oldest);
                factory.forget("job", oldest);
            }
        }
        imagesPerSecond = factory.gauge("dinoj_images_per_second", "Training throughput of the last step", tags());
        loss = factory.gauge("dinoj_loss", "Total loss of the last step", tags());
        learningRate = factory.gauge("dinoj_learning_rate", "Scheduled learning rate of the last step", tags());
        teacherMomentum = factory.gauge("dinoj_teacher_momentum", "EMA momentum of the teacher at the last step", tags());
        step = factory.gauge("dinoj_step", "Global optimizer steps completed", tags());
        stepTime = factory.timer("dinoj_step_seconds", "Wall time of one training step", tags());
        checkpointWriteTime = factory.timer("dinoj_checkpoint_write_seconds", "Time to write and verify a checkpoint",
                tags());
        checkpointSize = factory.summary("dinoj_checkpoint_size", "bytes", "Size of the checkpoints written", tags());
        refusedSteps = factory.counter("dinoj_refused_steps", "Steps refused for a non-finite loss or gradient", tags());
    }

    private String[] tags() {
        return new String[]{"job", job, "shard", shard};
    }

    void stepDone(StepResult result, long nanos) {
        stepTime.recordNanos(nanos);
        imagesPerSecond.set(result.imagesPerSecond());
        loss.set(result.loss());
        learningRate.set(result.learningRate());
        teacherMomentum.set(result.teacherMomentum());
        step.set(result.step());
        for (Map.Entry<String, Double> term : result.lossTerms().entrySet()) {
            lossTerms.computeIfAbsent(term.getKey(), name -> factory.gauge("dinoj_loss_term",
                    "One term of the loss (dino, ibot, koleo) at the last step", "job", job, "shard", shard, "term", name))
                    .set(term.getValue());
        }
    }

    void stepRefused() {
        refusedSteps.increment(1);
    }

    void checkpointWritten(Checkpoint checkpoint, long nanos) {
        checkpointWriteTime.recordNanos(nanos);
        long bytes = 0;
        for (Checkpoint.FileDigest f : checkpoint.files().values()) {
            bytes += f.bytes();
        }
        checkpointSize.record(bytes);
    }
}
