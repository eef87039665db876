package org.dinoj.model.train;

import java.io.IOException;
import java.nio.file.Path;

/** Opens training sessions from a job's configuration (YAML text as stored in the job spec). */
public interface TrainingSessionFactory {

    /**
     * Opens shard {@code shard} of {@code shards}. With {@code checkpoint} null the model is
     * initialised from the configured seed; otherwise every piece of state is restored from the
     * (already verified) checkpoint directory.
     */
    TrainingSession open(String config, int shard, int shards, Path checkpoint) throws IOException;

    /**
     * Which implementation wins when several are on the class path: the highest priority. The
     * production trainer has 0; a test double declares more to stand in for it in tests.
     */
    default int priority() {
        return 0;
    }
}
