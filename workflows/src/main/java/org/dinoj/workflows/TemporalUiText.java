package org.dinoj.workflows;

/**
 * What the Temporal UI shows at the top of a job's workflow page (its static summary and details),
 * for the workflows started by the job service and by a schedule alike.
 */
public final class TemporalUiText {
    private TemporalUiText() {
    }

    /** One line: the configuration, and whether the job is a retraining. */
    public static String summary(JobSpec spec) {
        return "dinoj pretraining: " + spec.configSummary() + (spec.baseCheckpoint() == null ? "" : ", a retraining");
    }

    /** Markdown: the job's length, where it writes, where it starts, and how to steer it. */
    public static String details(JobSpec spec) {
        String id = spec.jobId();
        return "**Job** `" + id + "`: " + JobSpec.summary(spec.epochs(), spec.stepsPerEpoch(), spec.shards(),
                spec.stepsPerRound()) + "\n\n"
                + "**Checkpoints** `" + spec.checkpointStore() + "`\n\n"
                + "**Starts from** " + (spec.baseCheckpoint() == null ? "scratch"
                        : "the weights of `" + spec.baseCheckpoint().uri() + "`") + "\n\n"
                + "**Steer it** with `dinoj jobs status|pause|resume|cancel " + id + "`, `dinoj pretrain --job-id " + id
                + " --retry` after a failure, or the REST API's `/v1/jobs/" + id + "`.";
    }
}
