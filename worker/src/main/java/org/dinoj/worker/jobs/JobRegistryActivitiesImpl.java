package org.dinoj.worker.jobs;

import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.dinoj.worker.ErrorSentences;
import org.dinoj.worker.activities.CheckpointLayout;
import org.dinoj.workflows.JobRegistryActivities;
import org.dinoj.workflows.JobSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records jobs in the registry: a sized schedule (a time budget's length), and scheduled jobs of the checkpoint directory that holds them (the parent
 * of the job's checkpoint store), so that they are listed, and restarted after an embedded-server
 * restart, like jobs started by hand.
 */
public final class JobRegistryActivitiesImpl implements JobRegistryActivities {
    private static final Logger log = LoggerFactory.getLogger(JobRegistryActivitiesImpl.class);

    @Override
    public void registerJob(JobSpec spec) {
        Path root = registryRoot(spec);
        try {
            // Registering returns the record already there: one that is another job's (through the API or
            // pretrain --job-id) would make the start find it running, and the firing pass for done.
            JobRecord record = new JobRegistry(root).register(spec);
            if (!sameJob(record.spec(), spec)) {
                throw ApplicationFailure.newNonRetryableFailure("job id " + spec.jobId() + " is taken by a job this"
                        + " schedule did not start (registered " + record.createdAt() + "), so this firing starts no"
                        + " job and leaves that one alone; ids <schedule>-yyyyMMdd-HHmm belong to the schedules'"
                        + " firings: give jobs started by hand other ids", JOB_ID_TAKEN);
            }
            log.info("scheduled job {} is registered in {}", spec.jobId(), root.resolve("registry"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot register job " + spec.jobId() + " in " + root.resolve("registry") + ": "
                    + ErrorSentences.of(e) + "; the firing retries until it can", e);
        }
    }

    @Override
    public void recordSpec(JobSpec spec, String schedule) {
        Path root = registryRoot(spec);
        try {
            if (new JobRegistry(root).updateSizedSpec(spec, schedule, "length " + spec.epochs() + " epochs, as its time budget set it")) {
                log.info("recorded job {} at {} epochs in {}", spec.jobId(), spec.epochs(), root.resolve("registry"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record job " + spec.jobId() + " in " + root.resolve("registry") + ": "
                    + ErrorSentences.of(e), e);
        }
    }

    /** Failure type of a firing whose job id another job has. */
    static final String JOB_ID_TAKEN = "JobIdTaken";

    /**
     * Whether a recorded job is this firing's: the same configuration and checkpoint folder (its length
     * may have changed since, through a time budget or set-epochs).
     */
    private static boolean sameJob(JobSpec recorded, JobSpec firing) {
        return recorded.config().equals(firing.config())
                && CheckpointLayout.of(recorded.checkpointStore()).root().equals(CheckpointLayout.of(firing.checkpointStore()).root())
                && java.util.Objects.equals(recorded.baseCheckpoint(), firing.baseCheckpoint());
    }

    /** The registry beside the job's checkpoints: the checkpoint store's parent directory. */
    private static Path registryRoot(JobSpec spec) {
        Path store = CheckpointLayout.of(spec.checkpointStore()).root();
        Path root = store.getParent();
        if (root == null) {
            throw new IllegalArgumentException("the checkpoint store " + store + " of job " + spec.jobId()
                    + " has no parent directory to keep the job registry in");
        }
        return root;
    }
}
