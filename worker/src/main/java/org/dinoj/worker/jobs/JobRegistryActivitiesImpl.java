package org.dinoj.worker.jobs;

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
            new JobRegistry(root).register(spec);
            log.info("registered scheduled job {} in {}", spec.jobId(), root.resolve("registry"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot register job " + spec.jobId() + " in " + root.resolve("registry") + ": "
                    + ErrorSentences.of(e) + "; the firing retries until it can", e);
        }
    }

    @Override
    public void recordSpec(JobSpec spec, String schedule) {
        Path root = registryRoot(spec);
        try {
            if (new JobRegistry(root).updateSizedSpec(spec, schedule, "sized to its time budget: " + spec.epochs() + " epochs")) {
                log.info("recorded job {} at {} epochs in {}", spec.jobId(), spec.epochs(), root.resolve("registry"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record job " + spec.jobId() + " in " + root.resolve("registry") + ": "
                    + ErrorSentences.of(e), e);
        }
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
