package org.dinoj.worker.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.dinoj.model.config.ConfigLoader;
import org.dinoj.worker.jobs.JobRecord;
import org.dinoj.worker.jobs.JobRegistry;
import org.dinoj.worker.jobs.JobService;
import org.dinoj.worker.jobs.JobSpecs;
import org.dinoj.worker.jobs.LocalRunner;
import org.dinoj.worker.report.JobHistory;
import org.dinoj.worker.temporal.TemporalErrors;
import org.dinoj.worker.temporal.TrainingServices;
import org.dinoj.workflows.CheckpointRef;
import org.dinoj.workflows.JobResult;
import org.dinoj.workflows.JobSpec;
import org.dinoj.workflows.JobState;
import org.dinoj.workflows.JobStatus;
import org.dinoj.workflows.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code dinoj pretrain}: one command from configuration to trained checkpoints. Without
 * {@code --temporal} it brings its own Temporal server and worker processes; Ctrl-C (or
 * {@code --max-minutes}) pauses the job with a checkpoint, and the same command continues it.
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Runs a DINOv2 pretraining job under Temporal; Ctrl-C pauses it with a checkpoint.")
public final class PretrainCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "PRESET|FILE.yaml", description = "Preset name or YAML file (default with"
            + " --init-from: the config.yaml of that checkpoint).")
    String config;

    @Option(names = "--set", paramLabel = "key=value", description = "Dotted override, e.g. optim.epochs=10 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--device", paramLabel = "dnnl|cuda|reference",
            description = "Compute backend of the training workers; the same as --set compute.backend=...")
    String device;

    @Option(names = "--temporal", paramLabel = "HOST:PORT", description = "Temporal frontend (default: an embedded server).")
    String temporal;

    @Option(names = "--workers", defaultValue = "1", description = "Worker processes on this machine (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--max-minutes", description = "Pause with a checkpoint after this many minutes.")
    Double maxMinutes;

    @Option(names = "--time-budget", paramLabel = "MINUTES",
            description = "Size a new job's schedule (optim.epochs) so that the whole command ends within this many"
                    + " minutes, evaluations included; a worker measures its machine before the job trains.")
    Double timeBudgetMinutes;

    @Option(names = "--checkpoint-dir", defaultValue = "checkpoints", converter = CheckpointDirConverter.class,
            description = "Checkpoints, job registry and worker logs (default: ${DEFAULT-VALUE}).")
    Path checkpointDir;

    @Option(names = "--job-id", description = "Job id (default: pretrain-<date>-<time>); an existing id continues that job.")
    String jobId;

    @Option(names = "--init-from", paramLabel = "DIR", description = "Start a new job from the weights (student, teacher,"
            + " centering) of this checkpoint directory: another job's, or one 'dinoj import' made; optimizer state"
            + " and schedules start fresh at step 0.")
    Path initFrom;

    @Option(names = "--retry", description = "Start the failed job --job-id again from its newest verified checkpoint,"
            + " with its length and configuration; --set may change keys of the optim, teacher and compute sections and data.max_bad_fraction.")
    boolean retry;

    @Option(names = "--port", defaultValue = "-1", hidden = true, description = "Embedded server port (-1: 7233 or a free one).")
    int port;

    private final long commandStart = System.nanoTime();
    private final PrintStream out = System.out;
    private final AtomicInteger interrupts = new AtomicInteger();

    @Override
    public Integer call() throws Exception {
        TrainingServices.load();
        if (maxMinutes != null && !(maxMinutes > 0)) {
            out.println("--max-minutes " + maxMinutes + " must be above 0 (the minutes after which the job pauses)");
            return 2;
        }
        String id = jobId != null ? jobId : "pretrain-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path root = checkpointDir.toAbsolutePath().normalize();
        if (device != null) {
            overrides.add("compute.backend=" + device);
        }
        boolean known = new JobRegistry(root).find(id).isPresent();
        if (retry && (jobId == null || !known)) {
            out.println(jobId == null ? "--retry needs the --job-id of the failed job"
                    : "no job " + jobId + " in " + root.resolve("registry") + " to retry");
            return 2;
        }
        if (retry) {
            try {
                JobService.checkRetryOverrides(overrides);
            } catch (IllegalArgumentException e) {
                out.println(e.getMessage());
                return 2;
            }
        }
        CheckpointRef base = null;
        if (initFrom != null) {
            if (known) {
                out.println("job " + id + " exists: --init-from starts new jobs only; drop it to continue the job");
                return 2;
            }
            base = InitFromOption.checkpoint(initFrom);
        }
        String source;
        try {
            source = InitFromOption.configSource("pretrain", config, initFrom, out).orElse(null);
        } catch (IllegalArgumentException e) {
            out.println(e.getMessage());
            return 2;
        }
        if (!known && source == null) {
            out.println(jobId == null ? "pretrain needs --config PRESET|FILE.yaml (or --init-from DIR) for a new job"
                    : "no job " + id + " in " + root.resolve("registry") + " to continue: give --config PRESET|FILE.yaml"
                    + " (or --init-from DIR) to start it as a new job");
            return 2;
        }
        String resolved = ConfigLoader.resolve(source, overrides);
        // A known job runs its recorded configuration; a retry of a failed one with the --set overrides it takes.
        Optional<JobRecord> record = known ? new JobRegistry(root).find(id) : Optional.empty();
        boolean failed = record.isPresent() && record.get().status() == JobRecord.RegistryStatus.FAILED;
        String runs = record.isEmpty() ? resolved : retry && failed
                ? ConfigLoader.withOverrides(record.get().spec().config(), overrides) : record.get().spec().config();
        String unusableDevice = temporal == null ? cudaUnavailable(runs, record.isEmpty() ? "use --device dnnl (the CPU), or"
                : failed ? "use --retry --device dnnl (the CPU), or" : "run it") : null;
        if (unusableDevice != null) {
            out.println(unusableDevice);
            return 2;
        }
        boolean budgeted = timeBudgetMinutes != null && checkBudget(id, known);
        if (!known) {
            // Made here to refuse a bad configuration before anything starts; made again when submitted,
            // with what is left of the budget then. A known job goes on with its recorded configuration.
            requestedSpec(id, resolved, root, base, budgeted);
        }

        Signal.handle(new Signal("INT"), s -> onInterrupt());
        Signal.handle(new Signal("TERM"), s -> onInterrupt());
        List<String> workerMain = List.of(DinojCli.class.getName(), "worker");
        try (LocalRunner runner = LocalRunner.start(new LocalRunner.Options(temporal, port, workers, root, workerMain),
                line -> out.println("\n" + line))) {
            JobService jobs = runner.jobs();
            if (runner.supervisor() != null) {
                runner.supervisor().ownerStoppingWhen(() -> interrupts.get() > 0);
            }
            out.println("Temporal: " + runner.target() + (runner.embedded() ? " (embedded, in memory)" : "")
                    + ", " + workers + " worker process(es), logs in " + root.resolve("logs"));
            Optional<JobRecord> existing = jobs.registry().find(id);
            CheckpointRef initial = base;
            JobSpec spec = existing.map(JobRecord::spec).orElseGet(() -> requestedSpec(id, resolved, root, initial, budgeted));
            Path recordedStore = org.dinoj.worker.activities.CheckpointLayout.of(spec.checkpointStore()).root();
            if (existing.isPresent() && !recordedStore.equals(root.resolve(id))) {
                // A registry copied or moved with its folder still names the original one.
                out.println("job " + id + " keeps its checkpoints where it was created, " + recordedStore + ", not in "
                        + root.resolve(id) + " (a copied or moved checkpoint folder is not where the job writes)");
            }
            if (existing.isPresent() && (config != null || !overrides.isEmpty() && !retry)) {
                out.println("job " + id + " exists: continuing it with its original configuration"
                        + (retry ? " (a retry takes the --set overrides)" : ""));
            }
            if (existing.isPresent() && existing.get().status() == JobRecord.RegistryStatus.PAUSED) {
                // Running the command again for a paused job continues it.
                jobs.registry().update(id, JobRecord.RegistryStatus.RUNNING, null, "continued by 'dinoj pretrain'");
                if (jobs.serviceState(id) == JobService.ServiceState.RUNNING) {
                    jobs.resume(id);
                }
            }
            for (String r : jobs.reconcile()) {
                out.println("restarted unfinished job " + r + " from its latest verified checkpoint");
            }
            jobs.registry().register(spec);
            if (existing.isEmpty()) {
                jobs.startNew(spec);
            } else if (jobs.registry().find(id).orElseThrow().status() == JobRecord.RegistryStatus.FAILED) {
                Integer ended = retryFailed(jobs, id);
                if (ended != null) {
                    return ended;
                }
            } else if (jobs.registry().find(id).orElseThrow().status().finished()) {
                // The record as the reconcile above left it: the one read before may still say running.
                out.println("job " + id + " already ended: "
                        + jobs.registry().find(id).orElseThrow().status().name().toLowerCase());
                return 0;
            } else {
                if (retry) {
                    out.println("job " + id + " has not failed: continuing it" + (overrides.isEmpty() ? ""
                            : " with its original configuration") + " (--retry is only for a failed job)");
                }
                jobs.start(spec, JobService.resumeState(jobs.registry().find(id).orElseThrow(), spec, false));
            }
            out.println("job " + id + ": " + spec.configSummary());
            if (existing.isEmpty() && spec.baseCheckpoint() != null) {
                out.println("starting from the weights of " + Path.of(java.net.URI.create(spec.baseCheckpoint().uri()))
                        + " (its step " + spec.baseCheckpoint().step() + "); optimizer state and schedules start at step 0");
            }
            if (spec.timeBudgetSeconds() > 0) {
                out.printf(Locale.ROOT, "time budget: %.1f min left; a worker times its machine on the job's"
                        + " configuration (under a minute), then sizes optim.epochs%n", spec.timeBudgetSeconds() / 60);
                if (spec.shards() > workers && runner.embedded()) {
                    out.println("warning: " + spec.shards() + " shards on " + workers + " worker(s): their rounds take"
                            + " turns, while the sizing counts one worker per shard, so the job will be shortened as it"
                            + " falls behind; give --workers " + spec.shards() + " for the length the budget holds");
                }
            }
            out.println("checkpoints: " + Path.of(java.net.URI.create(spec.checkpointStore())));
            return watch(runner, id);
        }
    }

    /**
     * Whether the budget applies: a new job only (an existing one keeps the schedule it started
     * with), and not together with optim.epochs, which it chooses itself.
     */
    private boolean checkBudget(String id, boolean known) {
        TimeBudgetOption.seconds(timeBudgetMinutes, overrides);
        if (known) {
            out.println("job " + id + " exists: --time-budget is ignored, the job keeps the schedule it started with");
            return false;
        }
        return true;
    }

    /**
     * A failed job: with {@code --retry} started again (null: watch it), else why it failed and
     * where a retry would start, as the exit status 1.
     */
    private Integer retryFailed(JobService jobs, String id) throws IOException {
        if (!retry) {
            JobRecord failed = jobs.registry().find(id).orElseThrow();
            // From disk: the failed run's round may have written a newer checkpoint after the registry's.
            Optional<CheckpointRef> newest = JobService.newestCheckpoint(failed.spec());
            out.println("job " + id + " " + failed.message() + newest.map(c -> "; newest verified checkpoint: step "
                    + c.step()).orElse("") + ". Run the same command with --retry to start it again from there.");
            return 1;
        }
        try {
            JobState from = jobs.retry(id, overrides);
            out.println("retrying job " + id + " from " + (from.step() > 0 ? "step " + from.step() + " ("
                    + Path.of(java.net.URI.create(from.checkpoint().uri())) + ")" : "the start")
                    + (overrides.isEmpty() ? "" : " with " + String.join(", ", overrides)));
            return null;
        } catch (IllegalArgumentException e) {
            out.println(e.getMessage());
            return 2;
        } catch (JobService.CheckpointsMissingException e) {
            out.println(e.getMessage());
            return 1;
        } catch (IllegalStateException e) {
            // Started again meanwhile (through the API, or another retry): watch it as it runs.
            out.println(e.getMessage());
            return null;
        }
    }

    /**
     * Why a job that computes on cuda cannot run on the embedded server's workers, which are all on
     * this machine (a worker of a real cluster may have the GPU this one lacks); null when it can.
     */
    private static String cudaUnavailable(String config, String instead) {
        JsonNode backend = ConfigLoader.tree(config).path("compute").path("backend");
        if (!backend.isTextual() || !backend.textValue().strip().equalsIgnoreCase("cuda")) {
            return null;
        }
        String reason = org.dinoj.model.backend.cuda.CudaDevice.unavailableReason();
        return reason == null ? null : "the job computes on cuda, which this machine cannot use (" + reason + "), and"
                + " the embedded server's workers all run here: " + instead + " with --temporal HOST:PORT and a GPU worker";
    }

    /** The job this command submits; with a budget, what is left of it now (this command's start counts). */
    private JobSpec requestedSpec(String id, String resolved, Path root, CheckpointRef base, boolean budgeted) {
        double budgetLeft = budgeted ? Math.max(1, timeBudgetMinutes * 60 - secondsSinceStart()) : 0;
        return JobSpecs.create(id, resolved, root.resolve(id), base, budgetLeft);
    }

    /** Seconds since this command started: the budget counts the measurement too. */
    private double secondsSinceStart() {
        return (System.nanoTime() - commandStart) * 1e-9;
    }

    private void onInterrupt() {
        if (interrupts.incrementAndGet() > 1) {
            System.err.println("\nstopping now without waiting for the checkpoint");
            System.exit(130);
        }
    }

    /** Says how the closed job ended and where its final checkpoint is; a cancelled job is recorded so. */
    private int ended(JobService jobs, String id) throws IOException {
        JobService.ClosedJob closed = jobs.closed(id);
        JobResult r = closed.result();
        if (r.status() == JobStatus.CANCELLED) {
            jobs.recordCancelled(closed);
        }
        out.println();
        out.println("job " + id + (closed.cancelledInTemporal() ? " was cancelled in Temporal (the UI or the temporal CLI)"
                : " " + r.status().name().toLowerCase()) + " at step " + r.step() + (r.finalCheckpoint() != null
                ? "; final checkpoint " + Path.of(java.net.URI.create(r.finalCheckpoint().uri())) : ""));
        Optional<JobRecord> record = jobs.registry().find(id);
        if (record.isPresent()) {
            // An earlier evaluation scored better than the final checkpoint's: say which one to export.
            Path store = Path.of(java.net.URI.create(record.get().spec().checkpointStore()));
            Optional<JobHistory.EvalRecord> best;
            try {
                best = new JobHistory(store).best();
            } catch (IOException e) {
                best = Optional.empty();
            }
            // Its checkpoint may have gone since (an abandoned run's, set aside): then it is not named as kept.
            best.filter(b -> b.step() != r.step() && b.checkpoint() != null && Files.isDirectory(store.resolve(b.checkpoint())))
                    .ifPresent(b -> out.printf(Locale.ROOT,
                    "best k-NN top-1 %.2f%% at epoch %d (step %d); its checkpoint is kept: %s%n", b.top1(), b.epoch(),
                    b.step(), store.resolve(b.checkpoint())));
        }
        return 0;
    }

    /** Says that Temporal answers again when it did not (since {@code outageSince}); returns -1: no outage now. */
    private long sayAnswering(LocalRunner runner, long outageSince) {
        if (outageSince >= 0) {
            out.printf(Locale.ROOT, "%nTemporal at %s answers again after %.0f s%n", runner.target(),
                    (System.nanoTime() - outageSince) / 1e9);
        }
        return -1;
    }

    /**
     * How long a pause waits on a round whose attempts keep failing: four heartbeat timeouts and half a
     * minute let a retried attempt start, read the pause and write its checkpoint.
     */
    private static long pauseWaitSeconds(LocalRunner runner, String id) throws IOException {
        long heartbeat = runner.jobs().registry().find(id).map(r -> r.spec().activities().heartbeatTimeout().toSeconds())
                .orElse(30L);
        return 30 + 4 * heartbeat;
    }

    private int watch(LocalRunner runner, String id) throws IOException, InterruptedException {
        boolean tty = System.console() != null;
        long started = System.nanoTime();
        long deadline = maxMinutes == null ? Long.MAX_VALUE : started + (long) (maxMinutes * 60e9);
        long firstStep = -1;
        long firstNanos = 0;
        long lastPlain = 0;
        boolean pausing = false;
        long pauseDeadline = Long.MAX_VALUE;
        long pauseWait = 0;
        JobStatus lastStatus = null;
        String scheduleShown = null;
        String lastRetry = null;
        boolean pauseSent = false;
        long outageSince = -1;
        boolean registryFailing = false;
        while (true) {
            try {
                JobService.ServiceState service = runner.jobs().serviceState(id);
                if (service != JobService.ServiceState.RUNNING) {
                    outageSince = sayAnswering(runner, outageSince);
                }
                if (service == JobService.ServiceState.FAILED) {
                    String reason = runner.jobs().recordFailure(id);
                    out.println();
                    out.println("job " + id + " failed: " + reason);
                    return 1;
                }
                if (service == JobService.ServiceState.CANCELLED) {
                    // A workflow cancelled in Temporal before it recorded where it stopped still shows the round before.
                    return ended(runner.jobs(), id);
                }
                Progress p;
                try {
                    p = runner.syncRegistry(id);
                    registryFailing = false;
                } catch (IOException e) {
                    // The registry is this command's record, not the job's state (Temporal keeps that): train on.
                    if (!registryFailing) {
                        out.println();
                        out.println("could not update the job registry (" + org.dinoj.worker.ErrorSentences.of(e)
                                + "): the job trains on, and its record is brought up to date once it can be written");
                        registryFailing = true;
                    }
                    p = runner.jobs().progress(id);
                }
                // The progress query needs a worker as well as the server: answered, both are back.
                outageSince = sayAnswering(runner, outageSince);
                if (p.schedule() != null && !p.schedule().equals(scheduleShown)) {
                    out.println((tty ? "\n" : "") + "schedule: " + ProgressLine.scheduleNews(scheduleShown, p.schedule()));
                    scheduleShown = p.schedule();
                }
                JobService.PendingWork work = runner.jobs().pendingWork(id);
                List<JobService.PendingRound> rounds = work.rounds();
                long step = ProgressLine.liveStep(p, rounds);
                if (firstStep < 0 && step > 0) {
                    firstStep = step;
                    firstNanos = System.nanoTime();
                }
                double rate = firstStep >= 0 && step > firstStep ? (step - firstStep) / ((System.nanoTime() - firstNanos) / 1e9) : 0;
                String line = ProgressLine.render(p, rounds, rate);
                Optional<String> retry = ProgressLine.retryNote(rounds).or(work::otherRetryNote);
                if (retry.isPresent() && !retry.get().equals(lastRetry)) {
                    // A new failed attempt: once on its own line, above the progress line.
                    out.println((tty ? "\n" : "") + retry.get());
                    lastRetry = retry.get();
                }
                if (tty) {
                    out.print("\r" + line + "  ");
                    out.flush();
                } else if (System.nanoTime() - lastPlain > 10e9 || p.status() != lastStatus) {
                    out.println(line);
                    lastPlain = System.nanoTime();
                }
                lastStatus = p.status();
                switch (p.status()) {
                    case COMPLETED, CANCELLED -> {
                        return ended(runner.jobs(), id);
                    }
                    case PAUSED -> {
                        if (pausing) {
                            out.println();
                            // A round whose attempts kept failing from the start stops before it wrote anything.
                            out.println("job " + id + " paused at step " + p.step()
                                    + (p.lastCheckpoint() == null ? " before its first checkpoint" : " with a checkpoint")
                                    + "; run the same command with --job-id " + id + " to continue");
                            return 0;
                        }
                    }
                    default -> { }
                }
                if (pausing && retry.isEmpty()) {
                    // Healthy work before the pause lands (an evaluation, a merge, a large checkpoint) may take long.
                    pauseDeadline = System.nanoTime() + pauseWait * 1_000_000_000L;
                }
                if (pausing && System.nanoTime() > pauseDeadline) {
                    // A round that keeps failing (data gone, disk full) never reaches its checkpoint: a single
                    // SIGTERM from a supervisor must still end the command.
                    out.println();
                    out.println("job " + id + " did not reach a checkpoint: its work kept failing for " + pauseWait
                            + " s after the pause (" + lastRetry + "); stopping without it. The registry keeps the job:"
                            + " 'dinoj pretrain --job-id " + id + "' goes on from its latest verified checkpoint");
                    return 1;
                }
                if (!pausing && (interrupts.get() > 0 || System.nanoTime() > deadline)) {
                    pausing = true;
                    pauseWait = pauseWaitSeconds(runner, id);
                    pauseDeadline = System.nanoTime() + pauseWait * 1_000_000_000L;
                    out.println();
                    out.println(interrupts.get() > 0 ? "pausing job " + id + " (waiting for its checkpoint; Ctrl-C again to"
                            + " stop at once)" : "--max-minutes reached: pausing job " + id + " with a checkpoint");
                }
                if (pausing && !pauseSent) {
                    runner.jobs().pause(id);
                    pauseSent = true;
                }
            } catch (RuntimeException e) {
                // A real server restarting: the job is kept there and the workers wait for it too, so wait with
                // them; as for a progress query no worker answered yet (the supervisor restarting one).
                if (!TemporalErrors.isOutage(e) && !TemporalErrors.isUnanswered(e)) {
                    throw e;
                }
                if (outageSince < 0) {
                    outageSince = System.nanoTime();
                    out.println();
                    out.println(TemporalErrors.isOutage(e)
                            ? "Temporal at " + runner.target() + " does not answer (UNAVAILABLE): waiting for it; the job's"
                            + " state is kept there and its workers go on when it is back (Ctrl-C twice stops this command)"
                            : "job " + id + " gives no progress now (" + JobService.queryFailureText(e) + "): waiting for"
                            + " it (Ctrl-C twice stops this command)");
                }
            }
            Thread.sleep(Duration.ofSeconds(1));
        }
    }
}
