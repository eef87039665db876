package org.dinoj.worker.jobs;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TerminatedFailure;
import io.temporal.failure.TimeoutFailure;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.dinoj.model.checkpoint.Checkpoint;
import org.dinoj.model.checkpoint.CheckpointStore;
import org.dinoj.model.config.ConfigLoader;
import org.dinoj.model.train.config.DinoV2Config;
import org.dinoj.worker.activities.CheckpointLayout;
import org.dinoj.worker.temporal.TemporalErrors;
import org.dinoj.worker.temporal.TrainingServices;
import org.dinoj.workflows.CheckpointRef;
import org.dinoj.workflows.JobResult;
import org.dinoj.workflows.JobSpec;
import org.dinoj.workflows.JobState;
import org.dinoj.workflows.JobStatus;
import org.dinoj.workflows.PretrainWorkflow;
import org.dinoj.workflows.Progress;
import org.dinoj.workflows.RoundHeartbeat;
import org.dinoj.workflows.TemporalUiText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of jobs: start (idempotently: workflow id = job id), reconcile the registry with
 * the service, signal, query and describe. Works the same against the embedded server and a real
 * cluster; nothing here needs visibility (list/count), which the embedded server lacks.
 */
public final class JobService {
    private static final Logger log = LoggerFactory.getLogger(JobService.class);
    private static final DataConverter CONVERTER = DefaultDataConverter.newDefaultInstance();
    /** Round labels by "job/activity id" ("" for none): a label never changes once the round is scheduled. */
    private static final int MAX_ROUND_LABELS = 1000;
    private final java.util.Map<String, String> roundLabels = new java.util.concurrent.ConcurrentHashMap<>();
    /** Time for a stopping round to write its checkpoint after the heartbeat that tells it to stop. */
    private static final long ROUND_STOP_MARGIN_MILLIS = 5000;
    /** Sections a retry may change: how the job learns and computes, not what its checkpoints hold or how long it is. */
    private static final List<String> RETRY_SECTIONS = List.of("optim.", "teacher.", "compute.");
    /**
     * Single keys a retry may change too: skipping more damaged images leaves the data order as it is, since a
     * bad image's place goes to the next decodable one whatever the limit.
     */
    private static final List<String> RETRY_KEYS = List.of("data.max_bad_fraction");

    private final WorkflowClient client;
    private final JobRegistry registry;
    /** One per job: a retry's new run and a failure's record of the old one must not cross in the registry. */
    private final java.util.concurrent.ConcurrentHashMap<String, Object> jobLocks = new java.util.concurrent.ConcurrentHashMap<>();

    public JobService(WorkflowClient client, JobRegistry registry) {
        this.client = client;
        this.registry = registry;
    }

    public JobRegistry registry() {
        return registry;
    }

    /** Where a workflow stands on the service: running, closed (with how), or unknown to it. */
    public enum ServiceState { RUNNING, COMPLETED, CANCELLED, FAILED, UNKNOWN }

    public ServiceState serviceState(String jobId) {
        Optional<DescribeWorkflowExecutionResponse> d = describe(jobId);
        if (d.isEmpty()) {
            return ServiceState.UNKNOWN;
        }
        WorkflowExecutionStatus s = d.get().getWorkflowExecutionInfo().getStatus();
        return switch (s) {
            case WORKFLOW_EXECUTION_STATUS_COMPLETED -> completedState(jobId);
            case WORKFLOW_EXECUTION_STATUS_CANCELED -> ServiceState.CANCELLED;
            case WORKFLOW_EXECUTION_STATUS_FAILED, WORKFLOW_EXECUTION_STATUS_TERMINATED,
                 WORKFLOW_EXECUTION_STATUS_TIMED_OUT -> ServiceState.FAILED;
            // Running, continued as new, paused in Temporal itself: the workflow is still there.
            default -> ServiceState.RUNNING;
        };
    }

    private ServiceState completedState(String jobId) {
        JobResult r = client.newUntypedWorkflowStub(jobId).getResult(JobResult.class);
        return r.status() == JobStatus.CANCELLED ? ServiceState.CANCELLED : ServiceState.COMPLETED;
    }

    /**
     * Starts the job's workflow unless it already runs (then attaches to it). {@code state} is null
     * for a fresh start, or where the job resumes from.
     */
    public void start(JobSpec spec, JobState state) {
        startRun(spec, state, WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
                WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE);
    }

    /**
     * Starts the workflow of a job just registered. A workflow of its id that already runs is not this
     * job's (another registry, or a client of its own, on the same Temporal namespace): the record is
     * forgotten and the start refused, where {@link #start} would attach to it and report that job's
     * progress as this one's.
     *
     * @throws WorkflowIdTakenException with the sentence, when a workflow of the job's id runs
     */
    public void startNew(JobSpec spec) throws IOException {
        try {
            startRun(spec, null, WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
                    WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE);
        } catch (WorkflowExecutionAlreadyStarted e) {
            registry.forget(spec.jobId());
            throw new WorkflowIdTakenException("a workflow with id '" + spec.jobId() + "' already runs on the Temporal"
                    + " service, and this job registry did not start it; choose another job id", e);
        }
    }

    /** A new job's id names a running workflow its registry did not start; the job's record is gone again. */
    public static final class WorkflowIdTakenException extends IllegalStateException {
        WorkflowIdTakenException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private void startRun(JobSpec spec, JobState state, WorkflowIdConflictPolicy whenRunning,
                          WorkflowIdReusePolicy whenClosed) {
        WorkflowOptions options = WorkflowOptions.newBuilder()
                .setWorkflowId(spec.jobId())
                .setTaskQueue(spec.activities().taskQueue())
                // What the Temporal UI shows at the top of the workflow's page.
                .setStaticSummary(TemporalUiText.summary(spec))
                .setStaticDetails(TemporalUiText.details(spec))
                .setWorkflowIdConflictPolicy(whenRunning)
                .setWorkflowIdReusePolicy(whenClosed)
                .build();
        PretrainWorkflow workflow = client.newWorkflowStub(PretrainWorkflow.class, options);
        WorkflowExecution e = WorkflowClient.start(workflow::run, spec, state);
        log.info("job {} runs as workflow {} / {}", spec.jobId(), e.getWorkflowId(), e.getRunId());
    }

    /**
     * Brings every unfinished job of the registry back: a job the service still runs is left alone,
     * one it finished is marked so, and one it does not know (the embedded server restarted) is
     * started again from its latest verified checkpoint, paused if it was paused.
     *
     * @return the ids of the jobs started again
     */
    public List<String> reconcile() throws IOException {
        List<String> restarted = new ArrayList<>();
        for (JobRecord record : registry.unfinished()) {
            String id = record.jobId();
            ServiceState inService = serviceState(id);
            switch (inService) {
                case RUNNING -> log.debug("job {} is running", id);
                case COMPLETED, CANCELLED, FAILED -> recordEnd(id, inService);
                case UNKNOWN -> {
                    boolean paused = record.status() == JobRecord.RegistryStatus.PAUSED;
                    JobState state;
                    try {
                        state = resumeState(record, record.spec(), paused);
                    } catch (CheckpointsMissingException e) {
                        // Not started over from step 0: failed with the reason, for a retry once they are back.
                        log.error("job {} is not restarted: {}", id, e.getMessage());
                        registry.update(id, JobRecord.RegistryStatus.FAILED, null, "failed: " + e.getMessage());
                        continue;
                    }
                    if (record.schedule() != null) {
                        // How its time budget sized it: shown again, never sized again (the spec has no budget left).
                        state = state.withSchedule(record.schedule());
                    }
                    String from = where(state);
                    log.info("job {} is unknown to the Temporal service: restarting it from {}{}", id, from,
                            paused ? ", paused" : "");
                    start(record.spec(), state);
                    registry.updateAt(id, record.status(), state.checkpoint(), "restarted from " + from);
                    restarted.add(id);
                }
            }
        }
        return restarted;
    }

    /**
     * Refuses, with the sentence why, a retry's override outside the optim, teacher and compute
     * sections and {@code data.max_bad_fraction}, of {@code optim.epochs}, of a key dinoj does not know, or of a value of the wrong type.
     */
    public static void checkRetryOverrides(List<String> overrides) {
        for (String override : overrides) {
            int eq = override.indexOf('=');
            String key = eq < 0 ? override : override.substring(0, eq).trim();
            boolean allowed = RETRY_KEYS.contains(key) || !key.equals("optim.epochs") && RETRY_SECTIONS.stream().anyMatch(key::startsWith);
            if (eq < 0 || !allowed) {
                throw new IllegalArgumentException("a retry can change only keys of the optim, teacher and compute"
                        + " sections and data.max_bad_fraction (key=value, e.g. optim.base_lr=0.001), not '" + override + "': the rest shapes the"
                        + " job's checkpoints, data order or length (change a running job's length with set-epochs)");
            }
        }
        // Bound over the defaults: a misspelt key or a value of the wrong type is refused here, not recorded in
        // the job for its worker to refuse (an override can set a key, never take it out again).
        DinoV2Config defaults = DinoV2Config.defaults();
        ConfigLoader.parse(ConfigLoader.withOverrides(ConfigLoader.toYaml(defaults), overrides), defaults);
    }

    /**
     * Where a job starts from, for logs and the registry: "the start" or "step N (URI)", and where the
     * shards of an unfinished round go on from when it is not there.
     */
    static String where(JobState state) {
        String global = state.checkpoint() == null || state.step() == 0 ? "the start"
                : "step " + state.step() + " (" + state.checkpoint().uri() + ")";
        List<String> shards = new ArrayList<>();
        for (int shard = 0; shard < state.shardResume().size(); shard++) {
            CheckpointRef own = state.shardResume().get(shard);
            if (own != null) {
                shards.add("shard " + shard + " from its step " + own.step());
            }
        }
        return shards.isEmpty() ? global : global + ", " + String.join(", ", shards) + " of the round to step "
                + state.roundEnd();
    }

    /**
     * Starts a failed job again, as a new run of its workflow, from its newest verified checkpoint:
     * a job that a refusal, a run of non-finite steps or a termination in Temporal stopped, once
     * its cause is dealt with. It keeps its length and its configuration but for {@code overrides}
     * ({@code key=value}) of the optim, teacher and compute sections (a lower learning rate after
     * a divergence, f32 instead of bf16) and {@code data.max_bad_fraction}, which the registry
     * records; the registry shows it RUNNING. A run terminated in Temporal moments ago is waited for
     * until its round has stopped (see {@link #retry(String, List, boolean)}).
     *
     * @return the state it continues from
     * @throws IllegalStateException when the registry does not hold the job or it has not failed,
     *     with the sentence why
     * @throws IllegalArgumentException for an override a retry cannot take, with the sentence why
     */
    public JobState retry(String jobId, List<String> overrides) throws IOException {
        return retry(jobId, overrides, true);
    }

    /**
     * {@link #retry(String, List)}; with {@code waitForStoppingRound} false, a run terminated or timed
     * out too recently for its round to have stopped is refused with a {@link RoundStillStoppingException}
     * saying how long to wait, instead of blocking for it (an API request must not hang for half a minute).
     */
    public JobState retry(String jobId, List<String> overrides, boolean waitForStoppingRound) throws IOException {
        checkRetryOverrides(overrides);
        synchronized (lockOf(jobId)) {
            return retryLocked(jobId, overrides, waitForStoppingRound);
        }
    }

    /** A running workflow's job status (paused, pausing, ...); "running" when no worker answers the query. */
    private String runningStatus(String jobId) {
        try {
            return progress(jobId).status().name();
        } catch (RuntimeException e) {
            return ServiceState.RUNNING.name();
        }
    }

    private Object lockOf(String jobId) {
        return jobLocks.computeIfAbsent(jobId, id -> new Object());
    }

    private JobState retryLocked(String jobId, List<String> overrides, boolean waitForStoppingRound) throws IOException {
        JobRecord record = registry.find(jobId).orElseThrow(() -> new IllegalStateException(
                "no job '" + jobId + "' in the job registry; only a job it holds can be retried"));
        ServiceState state = serviceState(jobId);
        // Unknown to the service (the embedded server restarted since): the registry's word that it failed.
        boolean failed = state == ServiceState.FAILED
                || state == ServiceState.UNKNOWN && record.status() == JobRecord.RegistryStatus.FAILED;
        if (!failed) {
            // A running workflow may hold a paused job: the job's own status says which.
            String now = state == ServiceState.UNKNOWN ? record.status().name()
                    : state == ServiceState.RUNNING ? runningStatus(jobId) : state.name();
            throw new IllegalStateException("job '" + jobId + "' has not failed (it is "
                    + now.toLowerCase(Locale.ROOT) + "); only a failed job can be retried");
        }
        JobSpec spec = overrides.isEmpty() ? record.spec()
                : record.spec().withConfig(ConfigLoader.withOverrides(record.spec().config(), overrides));
        if (!overrides.isEmpty()) {
            // Valid alone (checkRetryOverrides) is not enough: with the job's own keys, and the length the job has now
            // (set-epochs, a time budget) as its rounds give it, they must still make a whole configuration. Checked
            // before any wait for the failed run's round, so that a refusal is not first answered 'retry later'.
            TrainingServices.load().sessions().check(ConfigLoader.withOverrides(spec.config(),
                    List.of("optim.epochs=" + spec.epochs())));
        }
        if (state == ServiceState.FAILED) {
            waitForStoppedRound(jobId, record.spec(), waitForStoppingRound);
        }
        String reason = state == ServiceState.FAILED ? "failed: " + failure(jobId) : record.message();
        String with = overrides.isEmpty() ? "" : " with " + String.join(", ", overrides);
        JobState from = resumeState(record, spec, false);
        if (record.schedule() != null) {
            from = from.withSchedule(record.schedule());
        }
        log.info("job {} {}; retrying it from {}{}", jobId, reason, where(from), with);
        try {
            // Two retries at once must not both report success with different overrides. The service decides: a
            // new run only while none runs (FAIL), and only after a run that failed (FAILED_ONLY), since the other
            // retry's run may already have completed between our check and this start.
            startRun(spec, from, WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
                    WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY);
        } catch (WorkflowExecutionAlreadyStarted e) {
            throw new IllegalStateException("job '" + jobId + "' was started again meanwhile (by another retry)", e);
        }
        if (!overrides.isEmpty()) {
            registry.updateSpec(spec, "configuration changed for a retry: " + String.join(", ", overrides));
        }
        registry.updateAt(jobId, JobRecord.RegistryStatus.RUNNING, from.step() > 0 ? from.checkpoint() : null,
                "retried from " + where(from) + with + " after it " + reason);
        return from;
    }

    /** A retry asked for too soon after a termination or time-out: the old run's round may still write. */
    public static final class RoundStillStoppingException extends IllegalStateException {
        private final long retryAfterSeconds;

        RoundStillStoppingException(String message, long retryAfterSeconds) {
            super(message);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        /** Seconds until the round has stopped for sure. */
        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    /**
     * A terminated or timed-out run's round learns of it only at its next heartbeat, then writes one
     * more checkpoint: a new run must not train into the same store before that. Waits out the
     * heartbeat timeout after the close (at once for a run that failed by itself, whose round ended).
     */
    private void waitForStoppedRound(String jobId, JobSpec spec, boolean wait) {
        Optional<DescribeWorkflowExecutionResponse> d = describe(jobId);
        if (d.isEmpty()) {
            return;
        }
        var info = d.get().getWorkflowExecutionInfo();
        if (info.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED
                && info.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TIMED_OUT) {
            return;
        }
        long closedMillis = info.getCloseTime().getSeconds() * 1000 + info.getCloseTime().getNanos() / 1_000_000;
        long readyMillis = closedMillis + spec.activities().heartbeatTimeout().toMillis() + ROUND_STOP_MARGIN_MILLIS;
        long waitMillis = readyMillis - System.currentTimeMillis();
        if (waitMillis <= 0) {
            return;
        }
        long seconds = (waitMillis + 999) / 1000;
        String run = info.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED ? "terminated" : "timed-out";
        if (!wait) {
            throw new RoundStillStoppingException("the round of the " + run + " run of job '" + jobId + "' stops at its next"
                    + " heartbeat and may still write a checkpoint: retry in " + seconds + " s", seconds);
        }
        log.info("job {}: waiting {} s for the round of its {} run to stop at its next heartbeat", jobId, seconds, run);
        try {
            Thread.sleep(waitMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the round of job '" + jobId + "' to stop", e);
        }
    }

    /**
     * The state a job resumes from: its newest verified global checkpoint (shard 0's with one
     * shard), skipping (and logging) newer ones that do not verify. With several shards each shard
     * goes on from its own newest verified checkpoint of the unfinished round after it, as after a
     * pause, so that a restart or retry redoes about a checkpoint interval, not a round. That holds
     * for the first round too, when its merge base is there: the initial global checkpoint, or a
     * retraining's base.
     */
    public static JobState resumeState(JobSpec spec, boolean paused) throws IOException {
        CheckpointLayout layout = CheckpointLayout.of(spec.checkpointStore());
        CheckpointStore store = new CheckpointStore(spec.shards() == 1 ? layout.shard(0) : layout.global());
        Optional<Checkpoint> latest = store.latestVerified();
        // With several shards, global step 0 is only the merge base of the first round: the job is at its start.
        boolean atStart = latest.isEmpty() || latest.get().step() == 0;
        long step = atStart ? 0 : latest.get().step();
        CheckpointRef ref = atStart ? JobState.start(spec).checkpoint() : CheckpointLayout.ref(latest.get());
        int epoch = evaluatedEpoch(layout.root(), step, (int) (step / spec.stepsPerEpoch()));
        boolean mergeBase = latest.isPresent() || spec.baseCheckpoint() != null;
        // Only after the newest merge: a newer one that does not verify may have been the base of the shards' newer states.
        List<Long> steps = store.steps();
        boolean newestMerge = steps.isEmpty() || steps.getFirst() == step;
        if (spec.shards() > 1 && step < spec.totalSteps() && mergeBase && newestMerge) {
            long end = spec.roundEndAfter(step);
            List<CheckpointRef> resume = new ArrayList<>();
            for (int shard = 0; shard < spec.shards(); shard++) {
                resume.add(shardResume(layout, shard, step, end));
            }
            if (resume.stream().anyMatch(java.util.Objects::nonNull)) {
                return new JobState(step, ref, end, resume, 0, epoch, null, null, paused, -1, 0, null, null);
            }
        }
        return new JobState(step, ref, 0, List.of(), 0, epoch, null, null, paused, -1, 0, null, null);
    }

    /**
     * The epoch of the job's last k-NN evaluation as a resumed run counts it: {@code epoch} (the
     * checkpoint's) when the checkpoint's own evaluation is recorded, else that of the newest one
     * recorded before it (0 for none), so that an evaluation the previous run did not finish (its
     * command or disk gone) is made up at the next round's end rather than skipped.
     */
    private static int evaluatedEpoch(Path jobRoot, long step, int epoch) {
        List<org.dinoj.worker.report.JobHistory.EvalRecord> evals;
        try {
            evals = new org.dinoj.worker.report.JobHistory(jobRoot).evals();
        } catch (IOException | RuntimeException e) {
            log.warn("could not read the evaluations in {} ({}): the resumed job counts its checkpoint's as done",
                    jobRoot, e.toString());
            return epoch;
        }
        int newest = 0;
        for (var e : evals) {
            if (e.step() == step) {
                return epoch;
            }
            if (e.step() < step) {
                newest = Math.max(newest, e.epoch());
            }
        }
        return step == 0 ? epoch : newest;
    }

    /**
     * As {@link #resumeState(JobSpec, boolean)} for a job of the registry, refusing to start it over
     * from step 0 when the registry records a checkpoint of its own and none verifies now: its file
     * system not mounted, its folder moved or deleted. Started over, it would train again from
     * scratch into a new folder at the old place, and the user's checkpoints would be left behind.
     *
     * @throws CheckpointsMissingException saying so, and what to do
     */
    public static JobState resumeState(JobRecord record, JobSpec spec, boolean paused) throws IOException {
        JobState state = resumeState(spec, paused);
        CheckpointRef recorded = record.latestCheckpoint();
        Path store = CheckpointLayout.of(spec.checkpointStore()).root();
        if (state.step() == 0 && state.shardResume().isEmpty() && recorded != null && recorded.step() > 0
                && CheckpointLayout.directory(recorded).startsWith(store)) {
            throw new CheckpointsMissingException("job " + spec.jobId() + "'s registry records its checkpoint of step "
                    + recorded.step() + " (" + CheckpointLayout.directory(recorded) + "), but no checkpoint in " + store
                    + " verifies now: is its file system mounted, or was the folder moved or deleted? Bring it back and"
                    + " run this again; the job is not started over from step 0");
        }
        return state;
    }

    /** A job's own checkpoints, which its registry records, are gone: it is not started over from scratch. */
    public static final class CheckpointsMissingException extends IllegalStateException {
        CheckpointsMissingException(String message) {
            super(message);
        }
    }

    /** A shard's newest verified checkpoint in {@code (after, end]}; null when none, or when its store cannot be read now. */
    private static CheckpointRef shardResume(CheckpointLayout layout, int shard, long after, long end) {
        try {
            return new CheckpointStore(layout.shard(shard)).latestVerified(after, end).map(CheckpointLayout::ref).orElse(null);
        } catch (IOException e) {
            // The global checkpoint alone is a sound start: this shard redoes its part of the round.
            log.warn("shard {} goes on from the global checkpoint of step {}: its store could not be read ({})", shard,
                    after, e.toString());
            return null;
        }
    }

    /** Records the job's status (from its progress query) and latest checkpoint in the registry; returns the progress. */
    public Progress syncRegistry(String jobId) throws IOException {
        // The record before the progress: a record written after the query (the workflow's RecordJobSpec)
        // could otherwise be overwritten with the older length the query saw.
        JobRecord current = registry.find(jobId).orElse(null);
        Progress p = progress(jobId);
        JobRecord.RegistryStatus status = switch (p.status()) {
            case RUNNING, PAUSING, CANCELLING -> JobRecord.RegistryStatus.RUNNING;
            case PAUSED -> JobRecord.RegistryStatus.PAUSED;
            case COMPLETED -> JobRecord.RegistryStatus.COMPLETED;
            case CANCELLED -> JobRecord.RegistryStatus.CANCELLED;
        };
        if (current != null) {
            // The length as the workflow holds it: an update that did not come through setEpochs here (the
            // temporal CLI, the UI), or a sizing to the time budget, which leaves no budget to size again.
            JobSpec live = p.schedule() != null ? current.spec().sizedTo(p.epochs()) : current.spec().withEpochs(p.epochs());
            boolean newSchedule = p.schedule() != null && !p.schedule().equals(current.schedule());
            if (!live.equals(current.spec()) || newSchedule) {
                registry.updateSizedSpec(live, p.schedule(), "length " + p.epochs() + " epochs, as the workflow holds it");
                current = registry.find(jobId).orElseThrow();
            }
        }
        boolean changed = current == null || current.status() != status
                || (p.lastCheckpoint() != null && !p.lastCheckpoint().equals(current.latestCheckpoint()));
        // An ended job stays ended: a workflow cancelled in Temporal before it recorded its stop still answers RUNNING.
        if (current != null && changed && !current.status().finished()) {
            registry.update(jobId, status, p.lastCheckpoint(), p.status() == JobStatus.PAUSED
                    ? "paused" : null);
        }
        return p;
    }

    public Progress progress(String jobId) {
        return client.newWorkflowStub(PretrainWorkflow.class, jobId).progress();
    }

    /** @throws IllegalStateException when the job's workflow has ended (or never ran on this service) */
    public void pause(String jobId) {
        signal(jobId, "pause", PretrainWorkflow::pause);
    }

    /** @throws IllegalStateException when the job's workflow has ended (or never ran on this service) */
    public void resume(String jobId) {
        signal(jobId, "resume", PretrainWorkflow::resume);
    }

    /** @throws IllegalStateException when the job's workflow has ended (or never ran on this service) */
    public void cancel(String jobId) {
        signal(jobId, "cancel", PretrainWorkflow::cancel);
    }

    private void signal(String jobId, String action, java.util.function.Consumer<PretrainWorkflow> send) {
        try {
            send.accept(client.newWorkflowStub(PretrainWorkflow.class, jobId));
        } catch (WorkflowNotFoundException e) {
            throw new IllegalStateException("job '" + jobId + "' is not running on the Temporal service (it ended, or"
                    + " never ran there); it cannot " + action, e);
        }
    }

    /**
     * Changes a running (or paused) job's length through the workflow's {@code setEpochs} update and
     * records it in the registry, so that a job the registry restarts keeps the new length.
     *
     * @throws IllegalArgumentException when the workflow refuses the length (fewer epochs than are
     *     done), with its sentence
     * @throws IllegalStateException when the job's workflow is not running on the service
     */
    public int setEpochs(String jobId, int epochs) throws IOException {
        ServiceState state = serviceState(jobId);
        if (state != ServiceState.RUNNING) {
            throw new IllegalStateException("job '" + jobId + "' is not running on the Temporal service ("
                    + state.name().toLowerCase(Locale.ROOT) + "); only a running or paused job's length can"
                    + " change (to train a finished job further, start a retraining from its final checkpoint)");
        }
        int applied;
        try {
            applied = client.newWorkflowStub(PretrainWorkflow.class, jobId).setEpochs(epochs);
        } catch (WorkflowUpdateException e) {
            if (!(e.getCause() instanceof ApplicationFailure refusal)) {
                throw new IllegalArgumentException("the job refused " + epochs + " epochs: " + e.getMessage(), e);
            }
            if (IllegalStateException.class.getName().equals(refusal.getType())) {
                throw new IllegalStateException(refusal.getOriginalMessage(), e);
            }
            throw new IllegalArgumentException(refusal.getOriginalMessage(), e);
        } catch (WorkflowNotFoundException e) {
            throw new IllegalStateException("job '" + jobId + "' ended before its length could change", e);
        }
        Optional<JobRecord> record = registry.find(jobId);
        if (record.isPresent()) {
            // The workflow accepts a length only once no budget is left to size: none is left in the record either.
            registry.updateSpec(record.get().spec().sizedTo(applied), "length set to " + applied + " epochs");
        }
        return applied;
    }

    /**
     * A note for a job whose length just became {@code epochs}, when the round under way ends at or
     * past its new end: that round follows the schedules it started with, so the job ends with it
     * without the new schedule's decay of the learning rate. Empty when a later round follows the
     * new schedules, or when no round has heartbeated yet.
     */
    public Optional<String> lastRoundNote(String jobId, int epochs) throws IOException {
        Optional<JobRecord> record = registry.find(jobId);
        long stepsPerEpoch = record.isPresent() ? record.get().spec().stepsPerEpoch() : 0;
        if (stepsPerEpoch <= 0) {
            return Optional.empty();
        }
        long newEnd = epochs * stepsPerEpoch;
        long roundEnd = pendingRounds(jobId).stream().map(PendingRound::heartbeat).filter(java.util.Objects::nonNull)
                .mapToLong(RoundHeartbeat::endStep).max().orElse(-1);
        if (roundEnd < newEnd) {
            return Optional.empty();
        }
        return Optional.of("note: the round under way trains to step " + roundEnd
                + (roundEnd > newEnd ? " (past the new end at step " + newEnd + ")" : "")
                + " on the schedules it started with, and the job ends with it: its learning rate does not decay to the new end. For a last round on the new schedules, set at"
                + " least " + (roundEnd / stepsPerEpoch + 1) + " epochs");
    }

    /**
     * Why a failed job's workflow failed, in the sentence of what threw (an activity's refusal, e.g.
     * a time budget too short), or null when it did not fail.
     */
    public String failure(String jobId) {
        try {
            // A workflow that is not closed would make getResult wait for it.
            client.newUntypedWorkflowStub(jobId).getResult(5, java.util.concurrent.TimeUnit.SECONDS, JobResult.class);
            return null;
        } catch (java.util.concurrent.TimeoutException e) {
            return "the workflow has not ended";
        } catch (WorkflowFailedException e) {
            if (e.getCause() instanceof TerminatedFailure terminated) {
                // The UI's "Terminate" or temporal workflow terminate: the reason a person typed, if any.
                String reason = terminated.getOriginalMessage();
                return "terminated in Temporal" + (reason == null || reason.isBlank() ? "" : ": " + reason);
            }
            if (e.getCause() instanceof TimeoutFailure) {
                return "the workflow timed out in Temporal (its execution or run timeout)";
            }
            // The first application failure is what an activity or the workflow threw; what it wraps is detail.
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof ApplicationFailure)) {
                cause = cause.getCause();
            }
            if (cause instanceof ApplicationFailure a) {
                return stoppedWorkerText(a.getType()).orElse(a.getOriginalMessage());
            }
            return cause instanceof TimeoutFailure t && t.getTimeoutType() == io.temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT
                    ? HEARTBEAT_LOST : cause.getMessage();
        }
    }

    private static final String HEARTBEAT_LOST = "its worker stopped heartbeating (killed, or cut off from Temporal)";

    /**
     * Why an attempt failed when the activity's own exception says only which attempt it was: the SDK's
     * {@code ActivityCompletionException}s carry the workflow and activity ids as their message.
     */
    private static Optional<String> stoppedWorkerText(String failureType) {
        if (failureType == null) {
            return Optional.empty();
        }
        return switch (failureType) {
            case "io.temporal.client.ActivityWorkerShutdownException" ->
                    Optional.of("its worker was shut down during the attempt (SIGTERM or Ctrl-C)");
            case "io.temporal.client.ActivityCanceledException" -> Optional.of("the attempt was cancelled in Temporal");
            case "io.temporal.client.ActivityNotExistsException" ->
                    Optional.of("Temporal no longer knew the attempt (it had timed out while its worker was cut off)");
            default -> Optional.empty();
        };
    }

    /**
     * Marks a job whose workflow failed as FAILED in the registry, with why and its newest verified
     * checkpoint on disk (where {@link #retry} would continue it); returns why.
     */
    public String recordFailure(String jobId) throws IOException {
        // The slow parts (the run's result, hashing the newest checkpoint) outside the lock: a GET must not queue on them.
        String reason = failure(jobId);
        CheckpointRef newest = registry.find(jobId).flatMap(r -> newestCheckpoint(r.spec())).orElse(null);
        synchronized (lockOf(jobId)) {
            // A retry in this process may have started a new run since the caller saw the failure: its record stays.
            if (serviceState(jobId) == ServiceState.FAILED
                    && registry.find(jobId).map(r -> !r.status().finished()).orElse(false)) {
                if (newest != null) {
                    registry.updateAt(jobId, JobRecord.RegistryStatus.FAILED, newest, "failed: " + reason);
                } else {
                    // None verifies now (a mount gone, say): the recorded one stays, so a retry is not a start from scratch.
                    registry.update(jobId, JobRecord.RegistryStatus.FAILED, null, "failed: " + reason);
                }
            }
        }
        return reason;
    }

    /**
     * The job's newest verified checkpoint on disk, where {@link #retry} continues it; empty when
     * none verifies or the store cannot be read now (said in the log: it is information, not a failure).
     */
    public static Optional<CheckpointRef> newestCheckpoint(JobSpec spec) {
        try {
            JobState last = resumeState(spec, false);
            return last.step() > 0 ? Optional.of(last.checkpoint()) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            log.warn("job {}: could not read its checkpoints in {}: {}", spec.jobId(), spec.checkpointStore(), e.toString());
            return Optional.empty();
        }
    }

    /** Waits for the job's workflow to end; its result (see {@link #closed} for one cancelled in Temporal). */
    public JobResult result(String jobId) {
        WorkflowStub stub = client.newUntypedWorkflowStub(jobId);
        return stub.getResult(JobResult.class);
    }

    /**
     * How a closed job ended: its workflow's result, waiting for the close. A workflow cancelled in
     * Temporal itself (the UI's "Request Cancellation", {@code temporal workflow cancel}) closes
     * without one: then CANCELLED at the newest verified checkpoint on disk, which its interrupted
     * round wrote before it stopped, or, for a job this registry does not hold, at the step the
     * workflow last published, without a checkpoint.
     */
    public ClosedJob closed(String jobId) throws IOException {
        try {
            return new ClosedJob(result(jobId), false);
        } catch (WorkflowFailedException e) {
            if (!(e.getCause() instanceof CanceledFailure)) {
                throw e;
            }
            Optional<JobRecord> record = registry.find(jobId);
            if (record.isEmpty()) {
                return new ClosedJob(new JobResult(jobId, JobStatus.CANCELLED, publishedStep(jobId), null, null, null), true);
            }
            JobState last = resumeState(record.get().spec(), false);
            return new ClosedJob(new JobResult(jobId, JobStatus.CANCELLED, last.step(), last.checkpoint(), null, null), true);
        }
    }

    /** A closed job's result, and whether it was cancelled in Temporal itself (so the result is dinoj's reading). */
    public record ClosedJob(JobResult result, boolean cancelledInTemporal) {
    }

    /**
     * Records in the registry how a job whose workflow has closed ended, from its result or failure (no
     * worker needs to answer a query for it); false, recording nothing, when {@code state} is not an end.
     */
    public boolean recordEnd(String jobId, ServiceState state) throws IOException {
        switch (state) {
            case FAILED -> recordFailure(jobId);
            case CANCELLED -> recordCancelled(closed(jobId));
            case COMPLETED -> registry.update(jobId, JobRecord.RegistryStatus.COMPLETED,
                    closed(jobId).result().finalCheckpoint(), "completed");
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * Why a query (the job's progress) got no answer, in a sentence: a running workflow answers only
     * through a worker polling its task queue, and the SDK's own message names only the workflow.
     */
    public static String queryFailureText(RuntimeException e) {
        Optional<StatusRuntimeException> grpcCause = TemporalErrors.grpcCause(e);
        if (grpcCause.isPresent()) {
            StatusRuntimeException grpc = grpcCause.get();
            String description = grpc.getStatus().getDescription();
            if (grpc.getStatus().getCode() == io.grpc.Status.Code.FAILED_PRECONDITION && description != null
                    && description.contains("no poller")) {
                return "no worker polls its task queue (start one: 'dinoj worker --temporal HOST:PORT')";
            }
            return grpc.getStatus().getCode() + (description == null ? "" : ": " + description);
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }

    /** Marks a cancelled job CANCELLED in the registry, at its final checkpoint. */
    public void recordCancelled(ClosedJob closed) throws IOException {
        registry.update(closed.result().jobId(), JobRecord.RegistryStatus.CANCELLED, closed.result().finalCheckpoint(),
                closed.cancelledInTemporal() ? "cancelled in Temporal" : "cancelled");
    }

    /** When a job kept to its time budget is due, as its memo says ({@code ends_by}, UTC); empty for any other job. */
    public Optional<String> deadline(String jobId) {
        return describe(jobId).map(d -> d.getWorkflowExecutionInfo().getMemo().getFieldsMap().get("ends_by"))
                .map(p -> CONVERTER.fromPayload(p, String.class, String.class));
    }

    /** The step the workflow last published as its {@code DinojStep} search attribute; 0 when none. */
    private long publishedStep(String jobId) {
        return describe(jobId).map(d -> d.getWorkflowExecutionInfo().getSearchAttributes().getIndexedFieldsMap()
                        .get(org.dinoj.workflows.DinojSearchAttributes.STEP.getName()))
                .map(p -> CONVERTER.fromPayload(p, Long.class, Long.class)).orElse(0L);
    }

    public Optional<DescribeWorkflowExecutionResponse> describe(String jobId) {
        try {
            return Optional.of(client.getWorkflowServiceStubs().blockingStub().describeWorkflowExecution(
                    DescribeWorkflowExecutionRequest.newBuilder()
                            .setNamespace(client.getOptions().getNamespace())
                            .setExecution(WorkflowExecution.newBuilder().setWorkflowId(jobId))
                            .build()));
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * A running TrainRound as DescribeWorkflowExecution shows it.
     *
     * @param label what the Temporal UI calls it ("train round 3, shard 0 (of 1): to step 400 of 1000"),
     *     or null where it was not looked up or not found
     */
    public record PendingRound(String activityId, int attempt, String state, RoundHeartbeat heartbeat,
                               String lastFailure, java.time.Instant lastStarted, java.time.Instant lastHeartbeat,
                               String label) {
        /** Its label, or its activity id where there is none. */
        public String name() {
            return label != null ? label : "round " + activityId;
        }
    }

    private static java.time.Instant instant(com.google.protobuf.Timestamp t) {
        return java.time.Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    /** A failed attempt's reason; a timeout carries none in its message (a worker killed mid-round). */
    static String failureText(io.temporal.api.failure.v1.Failure failure) {
        if (failure.hasApplicationFailureInfo()) {
            Optional<String> stopped = stoppedWorkerText(failure.getApplicationFailureInfo().getType());
            if (stopped.isPresent()) {
                return stopped.get();
            }
        }
        if (!failure.getMessage().isBlank()) {
            return failure.getMessage();
        }
        if (failure.hasTimeoutFailureInfo()) {
            io.temporal.api.enums.v1.TimeoutType type = failure.getTimeoutFailureInfo().getTimeoutType();
            return type == io.temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT
                    ? HEARTBEAT_LOST
                    : "it timed out (" + type.name().replace("TIMEOUT_TYPE_", "").toLowerCase(Locale.ROOT) + ")";
        }
        return failure.hasCause() ? failureText(failure.getCause()) : "no reason was recorded";
    }

    /**
     * What a job's workflow has under way, from one description: its rounds, and for the first other
     * activity (the time-budget measurement, an evaluation, a merge) past its first attempt, "the k-NN
     * evaluation: attempt N-1 failed and Temporal retries it (attempt N): why" (empty when none is).
     */
    public record PendingWork(List<PendingRound> rounds, Optional<String> otherRetryNote) {
    }

    public PendingWork pendingWork(String jobId) {
        return pendingWork(jobId, false);
    }

    /** @param labelEveryRound look every round's label up, not only those of retried rounds (one history read) */
    private PendingWork pendingWork(String jobId, boolean labelEveryRound) {
        List<PendingRound> rounds = new ArrayList<>();
        Optional<String> other = Optional.empty();
        Optional<DescribeWorkflowExecutionResponse> d = describe(jobId);
        for (PendingActivityInfo a : d.map(DescribeWorkflowExecutionResponse::getPendingActivitiesList).orElse(List.of())) {
            if (a.getActivityType().getName().equals("TrainRound")) {
                rounds.add(pendingRound(a, labelEveryRound || a.getAttempt() > 1 ? roundLabel(jobId, a.getActivityId()) : null));
            } else if (other.isEmpty() && a.getAttempt() > 1 && a.hasLastFailure()) {
                other = Optional.of(activityInWords(a.getActivityType().getName()) + ": attempt " + (a.getAttempt() - 1)
                        + " failed and Temporal retries it (attempt " + a.getAttempt() + "): "
                        + failureText(a.getLastFailure()));
            }
        }
        return new PendingWork(rounds, other);
    }

    private static String activityInWords(String type) {
        return switch (type) {
            case "SizeSchedule" -> "the time-budget measurement";
            case "Evaluate" -> "the k-NN evaluation";
            case "MergeRound" -> "the merge of the shards";
            default -> type;
        };
    }

    /** The job's running rounds, each with its label. */
    public List<PendingRound> pendingRounds(String jobId) {
        return pendingWork(jobId, true).rounds();
    }

    /**
     * The summary the workflow gave the activity when it scheduled it (what the Temporal UI shows),
     * read once from the run's history and kept; null when the history has none (a run recorded
     * before summaries) or cannot be read now.
     */
    private String roundLabel(String jobId, String activityId) {
        String key = jobId + "/" + activityId;
        String known = roundLabels.get(key);
        if (known != null) {
            return known.isEmpty() ? null : known;
        }
        String label = "";
        try {
            for (HistoryEvent e : client.fetchHistory(jobId).getEvents()) {
                if (e.hasActivityTaskScheduledEventAttributes()
                        && e.getActivityTaskScheduledEventAttributes().getActivityId().equals(activityId)) {
                    if (e.hasUserMetadata() && e.getUserMetadata().hasSummary()) {
                        label = CONVERTER.fromPayload(e.getUserMetadata().getSummary(), String.class, String.class);
                    }
                    break;
                }
            }
        } catch (RuntimeException unreadable) {
            // Not kept: the history may be readable at the next look.
            log.debug("job {}: the label of activity {} could not be read: {}", jobId, activityId, unreadable.toString());
            return null;
        }
        if (roundLabels.size() >= MAX_ROUND_LABELS) {
            roundLabels.clear(); // a service that watches jobs for months keeps only recent rounds' labels
        }
        // A round without a summary (a run recorded before them) is remembered as such, not looked up every second.
        roundLabels.put(key, label);
        return label.isEmpty() ? null : label;
    }

    private static PendingRound pendingRound(PendingActivityInfo a, String label) {
        RoundHeartbeat hb = a.hasHeartbeatDetails()
                ? CONVERTER.fromPayloads(0, Optional.of(a.getHeartbeatDetails()), RoundHeartbeat.class, RoundHeartbeat.class)
                : null;
        String failure = a.hasLastFailure() ? failureText(a.getLastFailure()) : null;
        return new PendingRound(a.getActivityId(), a.getAttempt(),
                a.getState().name().replace("PENDING_ACTIVITY_STATE_", "").toLowerCase(), hb, failure,
                a.hasLastStartedTime() ? instant(a.getLastStartedTime()) : null,
                a.hasLastHeartbeatTime() ? instant(a.getLastHeartbeatTime()) : null, label);
    }
}
