package org.dinoj.worker.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.dinoj.worker.activities.CheckpointLayout;
import org.dinoj.workflows.JobRegistryActivities;
import org.dinoj.workflows.JobSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers scheduled jobs in the registry of the checkpoint directory that holds them (the parent
 * of the job's checkpoint store), so that they are listed, and restarted after an embedded-server
 * restart, like jobs started by hand.
 */
public final class JobRegistryActivitiesImpl implements JobRegistryActivities {
    private static final Logger log = LoggerFactory.getLogger(JobRegistryActivitiesImpl.class);

    @Override
    public void registerJob(JobSpec spec) {
        Path store = CheckpointLayout.of(spec.checkpointStore()).root();
        Path root = store.getParent();
        if (root == null) {
            throw new IllegalArgumentException("the checkpoint store " + store + " of job " + spec.jobId()
                    + " has no parent directory to keep the job registry in");
        }
        try {
            new JobRegistry(root).register(spec);
            log.info("registered scheduled job {} in {}", spec.jobId(), root.resolve("registry"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot register job " + spec.jobId() + " in " + root + ": " + e.getMessage(), e);
        }
    }
}
