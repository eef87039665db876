package org.dinoj.worker.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Status;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.dinoj.model.checkpoint.CheckpointStore;
import org.dinoj.model.config.ConfigLoader;
import org.dinoj.model.train.DinoV2Session;
import org.dinoj.worker.activities.CheckpointLayout;
import org.dinoj.worker.jobs.JobRecord;
import org.dinoj.worker.jobs.JobRegistry;
import org.dinoj.worker.jobs.JobService;
import org.dinoj.worker.temporal.TemporalErrors;
import org.dinoj.worker.jobs.JobSpecs;
import org.dinoj.workflows.JobStatus;
import org.dinoj.workflows.CheckpointRef;
import org.dinoj.workflows.JobSpec;
import org.dinoj.workflows.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code /v1/jobs} routes: start (pretraining from a config, or retraining from a base
 * checkpoint with a new dataset), list, status, pause, resume, cancel and a change of length. Jobs go through the same
 * {@link JobService} and registry as {@code dinoj pretrain}, so the CLI and the API see one set of jobs.
 */
public final class JobsApi {
    private static final Logger log = LoggerFactory.getLogger(JobsApi.class);
    static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
    private static final Pattern PRESET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JobService jobs;
    private final Path checkpointRoot;
    private final DataRoots dataRoots;
    /** Data roots plus the checkpoint directory: where base checkpoints may lie. */
    private final DataRoots checkpointRoots;
    private final IdempotencyKeys idempotency;
    /** Answers to a workflow start that leave open whether the workflow exists. */
    private static final java.util.Set<Status.Code> MAYBE_STARTED = java.util.EnumSet.of(Status.Code.DEADLINE_EXCEEDED,
            Status.Code.UNKNOWN, Status.Code.CANCELLED);
    /** Starts are serialised: the id checks, the key claim and the start form one step. */
    private final Object startLock = new Object();

    public JobsApi(JobService jobs, Path checkpointRoot, DataRoots dataRoots) throws IOException {
        this.jobs = jobs;
        this.checkpointRoot = checkpointRoot.toAbsolutePath().normalize();
        this.dataRoots = dataRoots;
        List<Path> withCheckpoints = new ArrayList<>(dataRoots.roots());
        java.nio.file.Files.createDirectories(this.checkpointRoot);
        withCheckpoints.add(this.checkpointRoot);
        this.checkpointRoots = DataRoots.of(withCheckpoints);
        this.idempotency = new IdempotencyKeys(this.checkpointRoot);
    }

    /** {@code POST /v1/jobs}: 201 with the new job, or 200 with the job an earlier request with the same key started. */
    void create(Context ctx, byte[] body) throws IOException {
        JobRequest request = JobRequest.parse(body);
        String key = ctx.header(IDEMPOTENCY_HEADER);
        if (key != null) {
            IdempotencyKeys.check(key);
        }
        synchronized (startLock) {
            if (key != null) {
                Optional<IdempotencyKeys.Claim> earlier = idempotency.find(key);
                if (earlier.isPresent()) {
                    replay(ctx, earlier.get(), request);
                    return;
                }
            }
            String jobId = request.jobId() != null ? request.jobId() : newJobId();
            try {
                JobRegistry.checkNewJobId(jobId);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(e.getMessage());
            }
            if (jobs.registry().find(jobId).isPresent()) {
                throw ApiException.conflict("job '" + jobId + "' exists already; choose another job_id or control it"
                        + " under /v1/jobs/" + jobId);
            }
            JobSpec spec = spec(request, jobId);
            if (key != null && idempotency.claim(key, request.fingerprint(), jobId).isPresent()) {
                throw ApiException.conflict("Idempotency-Key '" + key + "' was claimed by a concurrent request; retry it");
            }
            // While the record stays the key stays claimed: a replayed request gets this job, not a second one.
            boolean recorded = false;
            try {
                jobs.registry().register(spec);
                recorded = true;
                try {
                    jobs.startNew(spec);
                } catch (JobService.WorkflowIdTakenException e) {
                    recorded = false; // startNew forgot the record: the id is another workflow's
                    throw ApiException.conflict(e.getMessage());
                } catch (RuntimeException e) {
                    // Refused or not sent, so nothing started: the same request (key, job_id) starts it later. After a
                    // time-out (or a call cut off) the workflow may exist: the record stays for reconcile to find.
                    if (!TemporalErrors.code(e).map(MAYBE_STARTED::contains).orElse(false)) {
                        try {
                            jobs.registry().forget(jobId);
                            recorded = false;
                        } catch (IOException | RuntimeException forgetting) {
                            e.addSuppressed(forgetting);
                        }
                    }
                    throw e;
                }
            } catch (RuntimeException | IOException e) {
                if (key != null && !recorded) {
                    idempotency.release(key);
                }
                throw e;
            }
            log.info("API started job {} ({}){}", jobId, spec.configSummary(),
                    spec.baseCheckpoint() != null ? " from base checkpoint " + spec.baseCheckpoint().uri() : "");
            ctx.status(201).header("Location", "/v1/jobs/" + jobId);
            ApiServer.json(ctx, view(jobId, false));
        }
    }

    private void replay(Context ctx, IdempotencyKeys.Claim claim, JobRequest request) throws IOException {
        if (!claim.requestSha256().equals(request.fingerprint())) {
            throw ApiException.conflict("Idempotency-Key '" + claim.key() + "' was used for another request (job "
                    + claim.jobId() + "); use a new key for a new job");
        }
        ctx.status(200).header("Location", "/v1/jobs/" + claim.jobId()).header("Idempotent-Replayed", "true");
        ApiServer.json(ctx, view(claim.jobId(), false));
    }

    private JobSpec spec(JobRequest request, String jobId) {
        List<String> overrides = new ArrayList<>(request.overrideLines());
        if (request.dataset() != null) {
            overrides.add("data.dataset=" + quoted(dataset("dataset", request.dataset())));
        }
        CheckpointRef base = request.baseCheckpoint() == null ? null : baseCheckpoint(request.baseCheckpoint());
        try {
            String source = request.config() != null ? configSource(request.config()) : trainedConfig(base);
            String yaml = ConfigLoader.resolve(source, overrides);
            confineDatasets(yaml);
            double budgetSeconds = request.timeBudgetMinutes() == null ? 0 : request.timeBudgetMinutes() * 60;
            return JobSpecs.create(jobId, yaml, checkpointRoot.resolve(jobId), base, budgetSeconds);
        } catch (IllegalArgumentException e) { // a ConfigException is one too
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** A preset by name, or a YAML file inside a data root (as its real path). */
    private String configSource(String config) {
        if (PRESET.matcher(config).matches() && !config.endsWith(".yaml") && !config.endsWith(".yml")) {
            if (ConfigLoader.class.getResource("/configs/" + config + ".yaml") == null) {
                throw ApiException.badRequest("config '" + config + "' is not a preset of this build; give a preset"
                        + " name or the absolute path of a YAML file inside the data roots");
            }
            return config;
        }
        return dataRoots.confine("config", config).toString();
    }

    /** Retraining without a config: the one the base checkpoint's weights were trained with. */
    private String trainedConfig(CheckpointRef base) {
        Path dir = CheckpointLayout.directory(base);
        Path file = DinoV2Session.configFile(dir).orElseThrow(() -> ApiException.badRequest("base_checkpoint " + dir
                + " holds no " + DinoV2Session.CONFIG_FILE + " (it was written before checkpoints kept their"
                + " configuration): give config"));
        // Its real path, as for the checkpoint: a link that leads out of the roots is refused.
        return checkpointRoots.confine("base_checkpoint's " + DinoV2Session.CONFIG_FILE, file.toString()).toString();
    }

    /**
     * The datasets a configuration names (data.dataset, eval.dataset), confined as the request's
     * dataset field is: a config file or a base checkpoint's config.yaml may name any path, and the
     * caller would otherwise train and evaluate on data outside the roots through it.
     */
    private void confineDatasets(String yaml) {
        JsonNode tree = ConfigLoader.tree(yaml);
        for (String section : List.of("data", "eval")) {
            JsonNode spec = tree.path(section).path("dataset");
            if (spec.isTextual() && !spec.textValue().isBlank()) {
                dataset("the configuration's " + section + ".dataset", spec.textValue());
            }
        }
    }

    /**
     * Named and synthetic datasets pass as they are; a directory dataset must lie inside a data root.
     * {@code what} names the spec in errors.
     */
    private String dataset(String what, String spec) {
        int colon = spec.indexOf(':');
        String kind = colon < 0 ? spec : spec.substring(0, colon);
        return switch (kind) {
            case "fashion-mnist" -> {
                if (colon >= 0) {
                    throw ApiException.badRequest(what + " 'fashion-mnist' takes no argument, got '" + spec + "'");
                }
                yield spec;
            }
            case "synthetic" -> spec;
            case "folder", "idx" -> kind + ":" + dataRoots.confine(what, spec.substring(colon + 1));
            default -> throw ApiException.badRequest(what + " '" + spec + "' is not one of folder:DIR, idx:DIR,"
                    + " synthetic:N[:HxW[xC]][:K] or fashion-mnist");
        };
    }

    /** A verified checkpoint directory inside the data roots or the checkpoint directory. */
    private CheckpointRef baseCheckpoint(String location) {
        String path;
        if (location.startsWith("file:")) {
            try {
                path = Path.of(URI.create(location)).toString();
            } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
                throw ApiException.badRequest("base_checkpoint '" + location + "' is not a valid file: URI (" + e.getMessage()
                        + "); write it as file:///absolute/path/step-0000000100");
            }
        } else if (location.matches("[A-Za-z][A-Za-z0-9+.-]*:.*")) {
            throw ApiException.badRequest("base_checkpoint '" + location + "' uses a scheme other than file:; dinoj reads"
                    + " checkpoints from local or mounted file systems");
        } else {
            path = location;
        }
        Path dir = checkpointRoots.confine("base_checkpoint", path);
        if (!Files.isRegularFile(dir.resolve(CheckpointStore.MANIFEST))) {
            throw ApiException.badRequest("base_checkpoint '" + location + "' is not a checkpoint directory (it has no "
                    + CheckpointStore.MANIFEST + "): name a job's step-NNNNNNNNNN directory or one 'dinoj import' made");
        }
        try {
            // Any name: a job's step directory, or weights 'dinoj import' wrote (or a person copied) elsewhere.
            return CheckpointLayout.ref(CheckpointStore.verifyDirectory(dir));
        } catch (IOException e) {
            throw ApiException.badRequest("base_checkpoint '" + location + "' does not verify: " + e.getMessage());
        }
    }

    private static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String newJobId() {
        byte[] suffix = new byte[3];
        RANDOM.nextBytes(suffix);
        return "job-" + LocalDateTime.now(ZoneOffset.UTC).format(ID_TIME) + "-" + HexFormat.of().formatHex(suffix);
    }

    /** {@code GET /v1/jobs}. */
    void list(Context ctx) throws IOException {
        List<JobView> views = new ArrayList<>();
        for (JobRecord r : jobs.registry().list()) {
            views.add(view(r.jobId(), false));
        }
        ApiServer.json(ctx, Map.of("jobs", views));
    }

    /** {@code GET /v1/jobs/{id}}. */
    void get(Context ctx) throws IOException {
        ApiServer.json(ctx, view(existing(ctx.pathParam("id")).jobId(), true));
    }

    /** {@code POST /v1/jobs/{id}/pause|resume|cancel}: 202, the signal is on its way. */
    void signal(Context ctx, String action) throws IOException {
        JobRecord r = existing(ctx.pathParam("id"));
        if (r.status().finished()) {
            throw ApiException.conflict("job '" + r.jobId() + "' already ended (" + r.status().name().toLowerCase()
                    + "); it cannot " + action);
        }
        JobService.ServiceState state = jobs.serviceState(r.jobId());
        if (state != JobService.ServiceState.RUNNING) {
            throw ApiException.conflict("job '" + r.jobId() + "' is not running on the Temporal service (" + state
                    .name().toLowerCase() + "); it cannot " + action);
        }
        JobStatus now;
        try {
            now = jobs.progress(r.jobId()).status();
        } catch (RuntimeException e) {
            // A query needs a worker that ran the workflow's first task, a signal does not: send it unchecked.
            now = null;
        }
        // A request the job's state makes pointless is refused, not answered 202 and dropped (resume after cancel).
        boolean applies = now == null || switch (action) {
            // Pausing too: a resume since then has not landed yet, and a client may repeat a pause.
            case "pause" -> now == JobStatus.RUNNING || now == JobStatus.PAUSING;
            case "resume" -> now == JobStatus.PAUSED || now == JobStatus.PAUSING;
            case "cancel" -> now != JobStatus.CANCELLING;
            default -> true;
        };
        if (!applies) {
            throw ApiException.conflict("job '" + r.jobId() + "' is " + now.name().toLowerCase() + "; it cannot " + action
                    + (action.equals("resume") ? " (only a paused or pausing job resumes)" : ""));
        }
        try {
            switch (action) {
                case "pause" -> jobs.pause(r.jobId());
                case "resume" -> {
                    jobs.resume(r.jobId());
                    if (r.status() == JobRecord.RegistryStatus.PAUSED) {
                        jobs.registry().update(r.jobId(), JobRecord.RegistryStatus.RUNNING, null, "resumed through the API");
                    }
                }
                case "cancel" -> jobs.cancel(r.jobId());
                default -> throw new IllegalArgumentException("unknown job action " + action);
            }
        } catch (IllegalStateException e) {
            // It ended between the state read above and the signal.
            throw ApiException.conflict(e.getMessage());
        }
        ctx.status(202);
        ApiServer.json(ctx, Map.of("job_id", r.jobId(), "requested", action));
    }

    /**
     * {@code POST /v1/jobs/{id}/retry}, with an optional body of overrides: 202 with the job,
     * RUNNING again from its newest verified checkpoint as a new run of its workflow; 400 for an
     * override a retry cannot take, 409 when the job has not failed, or (with {@code Retry-After})
     * when it was terminated too recently for its round to have stopped.
     */
    void retry(Context ctx, byte[] body) throws IOException {
        JobRetry retry = JobRetry.parse(body);
        JobRecord r = existing(ctx.pathParam("id"));
        try {
            jobs.retry(r.jobId(), retry.overrideLines(), false);
        } catch (IllegalArgumentException e) { // a ConfigException is one too
            throw ApiException.badRequest(e.getMessage());
        } catch (JobService.RoundStillStoppingException e) {
            throw ApiException.conflictRetryAfter(e.getMessage(), e.retryAfterSeconds());
        } catch (IllegalStateException e) {
            throw ApiException.conflict(e.getMessage());
        }
        log.info("API retried job {}", r.jobId());
        ctx.status(202);
        // The registry's view: the new run answers queries once a worker has taken its first task.
        ApiServer.json(ctx, JobView.of(jobs.registry().find(r.jobId()).orElseThrow(), JobService.ServiceState.RUNNING,
                null, null));
    }

    /**
     * {@code PATCH /v1/jobs/{id}} with {@code {"epochs": N}}: 200 with the job at its new length; 400
     * when the workflow refuses it (fewer epochs than are done), 409 when the job has ended.
     */
    void change(Context ctx, byte[] body) throws IOException {
        int epochs = JobChange.parse(body).epochs();
        JobRecord r = existing(ctx.pathParam("id"));
        if (r.status().finished()) {
            throw ApiException.conflict("job '" + r.jobId() + "' already ended (" + r.status().name().toLowerCase()
                    + "); start a retraining from its final checkpoint to train further");
        }
        try {
            jobs.setEpochs(r.jobId(), epochs);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        } catch (IllegalStateException e) {
            throw ApiException.conflict(e.getMessage());
        }
        log.info("API set job {} to {} epochs", r.jobId(), epochs);
        ApiServer.json(ctx, view(r.jobId(), false));
    }

    private JobRecord existing(String jobId) throws IOException {
        try {
            JobRegistry.checkJobId(jobId);
        } catch (IllegalArgumentException e) {
            // Not an id any job can have: the request is malformed (and its echo is kept short).
            throw ApiException.badRequest(e.getMessage().length() > 300 ? "'" + jobId.substring(0, 40) + "...' ("
                    + jobId.length() + " characters) is not a job id: ids are 1-128 letters, digits, '.', '_' or '-'"
                    : e.getMessage());
        }
        return jobs.registry().find(jobId).orElseThrow(() -> ApiException.notFound("no job '" + jobId + "'"));
    }

    /** The job with its live progress; with {@code detail}, also its running rounds. */
    private JobView view(String jobId, boolean detail) throws IOException {
        JobRecord r = jobs.registry().find(jobId).orElseThrow(() -> ApiException.notFound("no job '" + jobId + "'"));
        if (r.status().finished() && !detail) {
            return JobView.of(r, null, null, null);
        }
        JobService.ServiceState state = jobs.serviceState(jobId);
        Progress progress = null;
        List<JobService.PendingRound> rounds = null;
        if (!r.status().finished() && jobs.recordEnd(jobId, state)) {
            r = jobs.registry().find(jobId).orElseThrow();
            if (state == JobService.ServiceState.FAILED) {
                // Its progress would be the last state before the failure; the reason is what a person needs.
                return JobView.of(r, state, null, null);
            }
        }
        if (state != JobService.ServiceState.UNKNOWN) {
            try {
                progress = jobs.syncRegistry(jobId);
                r = jobs.registry().find(jobId).orElseThrow();
            } catch (RuntimeException e) {
                // A failed or terminated workflow may not answer queries; the registry and the state still show it.
                log.debug("no progress for job {}: {}", jobId, e.toString());
            }
            if (detail) {
                rounds = jobs.pendingRounds(jobId);
            }
        }
        return JobView.of(r, state, progress, rounds);
    }
}
