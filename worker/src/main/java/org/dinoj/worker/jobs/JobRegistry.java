package org.dinoj.worker.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.dinoj.workflows.CheckpointRef;
import org.dinoj.workflows.JobSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory of small JSON files, one per job, next to the checkpoints ({@code ROOT/registry/}).
 * Each write goes to a temporary file that is renamed over the old one, so a crash never leaves a
 * half-written record. A record that cannot be read is reported and skipped, never fatal.
 */
public final class JobRegistry {
    private static final Logger log = LoggerFactory.getLogger(JobRegistry.class);
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    /** The folders of a checkpoint root that are not jobs': this registry and the workers' logs. */
    private static final List<String> RESERVED = List.of("registry", "logs");
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final Path directory;

    public JobRegistry(Path checkpointRoot) {
        this.directory = checkpointRoot.resolve("registry");
    }

    /** Job ids become workflow ids and directory names: letters, digits, '.', '_' and '-'. */
    public static void checkJobId(String jobId) {
        if (jobId == null || !JOB_ID.matcher(jobId).matches()) {
            throw new IllegalArgumentException("job id '" + jobId + "' must be 1-128 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit");
        }
    }

    /**
     * As {@link #checkJobId}, for a job about to be created: nor the name of a folder dinoj keeps
     * beside the jobs' folders (a job made before this rule keeps working under its name).
     */
    public static void checkNewJobId(String jobId) {
        checkJobId(jobId);
        if (RESERVED.contains(jobId)) {
            // A job named so would write its checkpoints and results.json into that folder.
            throw new IllegalArgumentException("job id '" + jobId + "' is the name of a folder dinoj keeps beside the"
                    + " jobs' folders (" + String.join(", ", RESERVED) + "): choose another");
        }
    }

    /** Records a new job (or returns the existing record: registering is idempotent). */
    public JobRecord register(JobSpec spec) throws IOException {
        Optional<JobRecord> existing = find(spec.jobId());
        if (existing.isPresent()) {
            return existing.get();
        }
        checkNewJobId(spec.jobId());
        Instant now = Instant.now();
        JobRecord record = new JobRecord(spec, JobRecord.RegistryStatus.RUNNING, spec.baseCheckpoint(), now, now, null, null);
        write(record);
        return record;
    }

    /**
     * Removes the record of a job whose start failed, so that the same request can start it later;
     * a workflow the failed call did start after all is then found again by that start.
     */
    public void forget(String jobId) throws IOException {
        checkJobId(jobId);
        Files.deleteIfExists(file(jobId));
    }

    public void update(String jobId, JobRecord.RegistryStatus status, CheckpointRef checkpoint, String message)
            throws IOException {
        write(held(jobId).with(status, checkpoint, message));
    }

    private JobRecord held(String jobId) throws IOException {
        return find(jobId).orElseThrow(() -> new IllegalArgumentException("no job '" + jobId + "' in the registry at "
                + directory));
    }

    /**
     * As {@link #update}, but {@code checkpoint} replaces the latest one even when null: for a job
     * that now stands where its newest verified checkpoint on disk says (null: none verifies), not
     * where the record last said (a restart, a retry, a failure).
     */
    public void updateAt(String jobId, JobRecord.RegistryStatus status, CheckpointRef checkpoint, String message)
            throws IOException {
        write(held(jobId).at(status, checkpoint, message));
    }

    /**
     * Replaces the spec of a job this registry holds (its length changed, or its time budget sized
     * it), with {@code message} saying how; returns false, and writes nothing, for a job it does not hold.
     */
    public boolean updateSpec(JobSpec spec, String message) throws IOException {
        return updateSizedSpec(spec, null, message);
    }

    /** As {@link #updateSpec(JobSpec, String)}, also recording how a time budget sized the job (null keeps the note). */
    public boolean updateSizedSpec(JobSpec spec, String schedule, String message) throws IOException {
        Optional<JobRecord> current = find(spec.jobId());
        if (current.isEmpty()) {
            return false;
        }
        write(current.get().withSpec(spec, schedule, message));
        return true;
    }

    public Optional<JobRecord> find(String jobId) throws IOException {
        checkJobId(jobId);
        Path file = file(jobId);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(JSON.readValue(file.toFile(), JobRecord.class));
    }

    /** All readable records, oldest first; unreadable files are logged and skipped. */
    public List<JobRecord> list() throws IOException {
        List<JobRecord> records = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return records;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.json")) {
            for (Path f : files) {
                if (f.getFileName().toString().startsWith(".")) {
                    continue; // a record being written (or one a crash left half-written)
                }
                try {
                    JobRecord record = JSON.readValue(f.toFile(), JobRecord.class);
                    if (record.spec() == null || record.createdAt() == null) {
                        // Another JSON file (a job named 'registry' before that was refused wrote results.json here).
                        log.warn("skipping {}: not a job record", f);
                        continue;
                    }
                    records.add(record);
                } catch (IOException e) {
                    log.warn("skipping unreadable job record {}: {}", f, e.getMessage());
                }
            }
        }
        records.sort(Comparator.comparing(JobRecord::createdAt));
        return records;
    }

    /** Jobs that were not finished when the registry was last written. */
    public List<JobRecord> unfinished() throws IOException {
        return list().stream().filter(r -> !r.status().finished()).toList();
    }

    private void write(JobRecord record) throws IOException {
        Files.createDirectories(directory);
        Path target = file(record.jobId());
        Path temp = Files.createTempFile(directory, ".tmp-" + record.jobId(), ".json");
        try {
            JSON.writeValue(temp.toFile(), record);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private Path file(String jobId) {
        return directory.resolve(jobId + ".json");
    }
}
