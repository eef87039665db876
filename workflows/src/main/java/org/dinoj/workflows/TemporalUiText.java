package org.dinoj.workflows;

import java.net.URI;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Path;

/**
 * What the Temporal UI shows at the top of a job's workflow page (its static summary and details),
 * for the workflows started by the job service and by a schedule alike. Both are fixed when the
 * workflow starts, so they leave out what changes while it runs (the length: a time budget or
 * set-epochs changes it; the current details show it).
 */
public final class TemporalUiText {
    private TemporalUiText() {
    }

    /** One line: the job, and whether it is a retraining. */
    public static String summary(JobSpec spec) {
        return "dinoj pretraining job " + spec.jobId() + (spec.baseCheckpoint() == null ? "" : ", a retraining");
    }

    /** Markdown: where the job writes, where it starts, and the commands that steer it. */
    public static String details(JobSpec spec) {
        String id = spec.jobId();
        String where = checkpointDirOption(spec.checkpointStore());
        return "**Checkpoints** `" + spec.checkpointStore() + "`\n\n"
                + "**Starts from** " + (spec.baseCheckpoint() == null ? "scratch"
                        : "the weights of `" + spec.baseCheckpoint().uri() + "`") + "\n\n"
                + "**Steer it** with `dinoj jobs status|pause|resume|cancel " + id + where + "`, `dinoj jobs set-epochs "
                + id + " N" + where + "`, `dinoj jobs retry " + id + where + "` after a failure, or the REST API's `/v1/jobs/"
                + id + "`.";
    }

    /** {@code --checkpoint-dir} naming the folder that holds the job's store (its registry lives there). */
    private static String checkpointDirOption(String store) {
        try {
            Path parent = Path.of(URI.create(store)).getParent();
            return parent == null ? "" : " --checkpoint-dir " + parent;
        } catch (IllegalArgumentException | FileSystemNotFoundException e) {
            return "";
        }
    }
}
