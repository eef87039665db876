package org.dinoj.tests.faults;

import org.dinoj.tests.ProductionClassPath;
import io.temporal.api.enums.v1.PendingActivityState;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.dinoj.model.checkpoint.CheckpointStore;
import org.dinoj.model.config.ConfigLoader;
import org.dinoj.worker.cli.DinojCli;
import org.dinoj.worker.jobs.JobService;
import org.dinoj.worker.jobs.JobSpecs;
import org.dinoj.worker.jobs.LocalRunner;
import org.dinoj.workflows.JobResult;
import org.dinoj.workflows.JobSpec;
import org.dinoj.workflows.JobStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills worker processes with SIGKILL while real jobs run, and measures each recovery.
 *
 * <p>A job runs as {@code dinoj pretrain} runs it: {@link LocalRunner} with the embedded Temporal
 * server and supervised worker JVMs running {@code DinojCli worker}. For every crash the harness
 * aims at one phase, kills the worker that is in it, and reads from the workers' logs (step lines
 * at debug level, attempt starts at info) how far the killed worker had got, where the retried
 * attempt resumed, and when it trained its first step again:
 * <ul>
 *   <li>{@link Phase#STEP}: at a random moment while a shard trains;</li>
 *   <li>{@link Phase#CHECKPOINT_WRITE}: as soon as the shard's store shows a new temporary checkpoint
 *       directory; the crash counts as one during the write only if that directory is still there
 *       after the kill (the rename had not happened);</li>
 *   <li>{@link Phase#MERGE}: (2 shards) while a MergeRound activity runs, on the worker that runs it.</li>
 * </ul>
 * Every job must complete at its last step.
 */
public final class FaultHarness {
    private static final Logger log = LoggerFactory.getLogger(FaultHarness.class);
    private static final Duration WAIT = Duration.ofSeconds(180);

    public enum Phase { STEP, CHECKPOINT_WRITE, MERGE }

    /** Which trainer the workers run. */
    public enum SessionKind {
        /** The toy session of the worker's test jar (fast steps, a large checkpoint to aim at). */
        TOY,
        /** The real DINOv2 session on the tiny-test preset. */
        DINOV2
    }

    /**
     * @param kills crashes to inject in total, over as many jobs as needed
     * @param killsPerJob crashes per job at most
     * @param deterministic DINOv2 only: compute.threads=1 and data.workers=0 (see docs/faults.md)
     * @param phases the phases to aim at, in turn; empty for all that apply (merges need 2 shards)
     */
    public record Options(SessionKind session, int shards, int kills, int killsPerJob, long seed, Path workDir,
                          boolean deterministic, List<Phase> phases) {
        public Options {
            phases = List.copyOf(phases);
            if (phases.contains(Phase.MERGE) && shards < 2) {
                throw new IllegalArgumentException("a merge needs 2 shards or more, the harness runs " + shards);
            }
        }
    }

    /**
     * One injected crash and the recovery from it.
     *
     * @param aimedAt the phase the harness aimed at
     * @param phase what the kill hit, as observed (e.g. a checkpoint write only when its temporary
     *     directory survived the kill)
     * @param stepAtKill the last step the killed worker had finished
     * @param newestCheckpointAtKill the newest verified checkpoint of the shard (or the global one for
     *     a merge) right after the kill, -1 if none
     * @param resumedFrom the step the retried attempt started from; {@code stepsRedone = stepAtKill - resumedFrom}
     * @param killToAttemptSeconds from the kill to the log line of the retried attempt's start
     * @param killToTrainingSeconds from the kill to the first step finished after it
     */
    public record Crash(String job, String session, int shards, String aimedAt, String phase, int shard, int worker,
                        long pid, long stepAtKill, long newestCheckpointAtKill, long resumedFrom, String resumeSource,
                        long stepsRedone,
                        long checkpointEvery, double killToAttemptSeconds, double killToTrainingSeconds) {
    }

    public record JobOutcome(String job, String session, int shards, long totalSteps, String status, long finalStep,
                             int crashes, double seconds) {
    }

    private final Options options;
    private final Random random;
    private final List<Crash> crashes = new ArrayList<>();
    private final List<JobOutcome> jobs = new ArrayList<>();

    public FaultHarness(Options options) {
        this.options = options;
        this.random = new Random(options.seed());
    }

    public List<Crash> crashes() {
        return List.copyOf(crashes);
    }

    public List<JobOutcome> jobs() {
        return List.copyOf(jobs);
    }

    /** Runs jobs until {@code kills} crashes are recorded; each job must complete. */
    public void run() throws Exception {
        int job = 0;
        while (crashes.size() < options.kills()) {
            int want = Math.min(options.killsPerJob(), options.kills() - crashes.size());
            runJob(options.session().name().toLowerCase() + "-" + options.shards() + "n-" + job++, want,
                    totalSteps(want));
        }
    }

    /** Checkpoint cadence of the harness's jobs. */
    public long checkpointEvery() {
        return options.session() == SessionKind.TOY ? 10 : 5;
    }

    private long stepsPerRound() {
        // DINOv2 single-node: one round, so that kills land mid-round; two nodes: rounds to merge.
        return options.session() == SessionKind.TOY ? 60 : options.shards() > 1 ? 20 : 40;
    }

    /** Steps long enough for {@code kills} crashes with training in between, plus a tail. */
    long totalSteps(int kills) {
        long perKill = options.session() == SessionKind.TOY ? 50 : 12;
        long steps = (kills + 1) * perKill;
        if (options.shards() > 1) {
            steps = Math.max(steps, stepsPerRound() + 1); // two rounds at least: a merge before the final one
        }
        return (steps + stepsPerRound() - 1) / stepsPerRound() * stepsPerRound();
    }

    String config(long totalSteps) {
        long epochLength = stepsPerRound();
        long epochs = totalSteps / epochLength;
        String job = "job: {shards: " + options.shards() + ", steps_per_round: " + stepsPerRound()
                + ", checkpoint_every_steps: " + checkpointEvery() + ", eval_every_epochs: 0,"
                + " heartbeat_timeout_seconds: " + (options.session() == SessionKind.TOY ? 2 : 3) + "}\n";
        if (options.session() == SessionKind.TOY) {
            // dim 200k: a 5 MB checkpoint, whose write lasts long enough to be hit.
            return "optim: {epochs: " + epochs + "}\n"
                    + "train: {OFFICIAL_EPOCH_LENGTH: " + epochLength + "}\n"
                    + job
                    + "toy: {dim: 200000, step_millis: 25}\n";
        }
        List<String> overrides = new ArrayList<>(List.of("optim.epochs=" + epochs,
                "train.OFFICIAL_EPOCH_LENGTH=" + epochLength, "optim.warmup_epochs=1"));
        if (options.deterministic()) {
            overrides.addAll(List.of("compute.threads=1", "data.workers=0"));
        }
        String preset = ConfigLoader.resolve("tiny-test", overrides);
        // The preset's job section is replaced by the harness's.
        return preset.replaceAll("(?s)\njob:\n(  .*?\n)*", "\n") + job;
    }

    /**
     * Runs job {@code id} of {@code total} steps with up to {@code kills} crashes and returns its
     * checkpoint store; the job must complete.
     */
    Path runJob(String id, int kills, long total) throws Exception {
        String config = config(total);
        Path dir = options.workDir();
        long started = System.nanoTime();
        try (LocalRunner runner = startRunner(options.session(), options.shards(), dir)) {
            List<Path> logs = new ArrayList<>();
            for (int i = 0; i < options.shards(); i++) {
                logs.add(runner.supervisor().logFile(i));
            }
            WorkerLogTail tail = new WorkerLogTail(logs);
            Thread follower = Thread.ofPlatform().daemon().start(() -> follow(tail));
            try {
                JobSpec spec = JobSpecs.create(id, config, dir.resolve(id), null);
                runner.jobs().registry().register(spec);
                runner.jobs().start(spec, null);
                List<Phase> plan = plan(kills);
                int done = 0;
                for (Phase phase : plan) {
                    Crash c = switch (phase) {
                        case STEP -> killDuringStep(runner, tail, spec);
                        case CHECKPOINT_WRITE -> killDuringCheckpointWrite(runner, tail, spec);
                        case MERGE -> killDuringMerge(runner, tail, spec);
                    };
                    if (c == null) {
                        if (done == 0) {
                            throw new AssertionError("job " + id + " of " + total + " steps ended before the harness could"
                                    + " aim a " + phase + " crash at it");
                        }
                        log.warn("job {}: too close to its end for another crash; {} of {} done", id, done, kills);
                        break;
                    }
                    crashes.add(c);
                    done++;
                    log.info("crash {}: {}", crashes.size(), c);
                }
                JobResult result = awaitEnd(runner, id);
                double seconds = (System.nanoTime() - started) / 1e9;
                jobs.add(new JobOutcome(id, options.session().name(), options.shards(), spec.totalSteps(),
                        result.status().name(), result.step(), done, seconds));
                if (result.status() != JobStatus.COMPLETED || result.step() != spec.totalSteps()) {
                    throw new AssertionError("job " + id + " ended " + result.status() + " at step " + result.step()
                            + " of " + spec.totalSteps());
                }
            } finally {
                follower.interrupt();
            }
        }
        return dir.resolve(id);
    }

    /** Alternates the phases: steps and checkpoint writes, and merges with two shards. */
    private List<Phase> plan(int kills) {
        List<Phase> cycle = !options.phases().isEmpty() ? options.phases()
                : options.shards() > 1 ? List.of(Phase.STEP, Phase.MERGE, Phase.CHECKPOINT_WRITE)
                : List.of(Phase.STEP, Phase.CHECKPOINT_WRITE);
        List<Phase> plan = new ArrayList<>();
        int offset = crashes.size();
        for (int i = 0; i < kills; i++) {
            plan.add(cycle.get((offset + i) % cycle.size()));
        }
        return plan;
    }

    private static void follow(WorkerLogTail tail) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                tail.poll();
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                log.warn("reading worker logs: {}", e.toString());
            }
        }
    }

    /** The training shard (random) once it has finished a step of its current attempt, with room left in its round. */
    private Optional<WorkerLogTail.Start> trainingShard(WorkerLogTail tail, JobSpec spec, long minRoomSteps)
            throws Exception {
        int shard = random.nextInt(options.shards());
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<WorkerLogTail.Start> start = tail.lastStart(s -> s.job().equals(spec.jobId()) && s.shard() == shard);
            if (start.isPresent()) {
                WorkerLogTail.Start s = start.get();
                Optional<WorkerLogTail.StepDone> last = tail.lastStep(d -> d.job().equals(spec.jobId())
                        && d.shard() == shard && d.worker() == s.worker() && d.seenNanos() >= s.seenNanos());
                if (last.isPresent() && last.get().step() + minRoomSteps >= spec.totalSteps()) {
                    return Optional.empty();
                }
                // At least one checkpoint of this attempt first, so that the crash has something to resume from.
                if (last.isPresent() && last.get().step() > s.fromStep() + checkpointEvery()
                        && last.get().step() + minRoomSteps < s.endStep()) {
                    return start;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("shard " + shard + " of job " + spec.jobId() + " did not train within " + WAIT);
    }

    private Crash killDuringStep(LocalRunner runner, WorkerLogTail tail, JobSpec spec) throws Exception {
        Optional<WorkerLogTail.Start> training = trainingShard(tail, spec, checkpointEvery() + 5);
        if (training.isEmpty()) {
            return null;
        }
        // A random moment within about one checkpoint interval of training.
        long stepMillis = options.session() == SessionKind.TOY ? 30 : 150;
        Thread.sleep(random.nextLong(checkpointEvery() * stepMillis));
        WorkerLogTail.Start s = training.get();
        Path store = dir(spec).resolve("shard-" + s.shard());
        Set<String> before = tempDirectories(store);
        Killed k = kill(runner, s.worker());
        String phase = newTempDirectories(store, before).isEmpty() ? "step" : "checkpoint write";
        return recovery(tail, spec, Phase.STEP, phase, s, k);
    }

    private Crash killDuringCheckpointWrite(LocalRunner runner, WorkerLogTail tail, JobSpec spec) throws Exception {
        Optional<WorkerLogTail.Start> training = trainingShard(tail, spec, checkpointEvery() + 2);
        if (training.isEmpty()) {
            return null;
        }
        WorkerLogTail.Start s = training.get();
        Path store = dir(spec).resolve("shard-" + s.shard());
        Set<String> before = tempDirectories(store);
        long deadline = System.nanoTime() + WAIT.toNanos();
        Set<String> appeared = Set.of();
        while (appeared.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no checkpoint write of shard " + s.shard() + " of " + spec.jobId() + " within " + WAIT);
            }
            appeared = newTempDirectories(store, before);
        }
        Killed k = kill(runner, s.worker());
        boolean survived = appeared.stream().anyMatch(name -> Files.exists(store.resolve(name)));
        return recovery(tail, spec, Phase.CHECKPOINT_WRITE, survived ? "checkpoint write" : "step (write had finished)", s, k);
    }

    private Crash killDuringMerge(LocalRunner runner, WorkerLogTail tail, JobSpec spec) throws Exception {
        JobService jobs = runner.jobs();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no MergeRound of " + spec.jobId() + " seen within " + WAIT);
            }
            Optional<WorkerLogTail.StepDone> seen = tail.lastStep(d -> d.job().equals(spec.jobId()));
            if (seen.isPresent() && seen.get().step() >= spec.totalSteps()) {
                return null; // only the final merge is left: after it nothing would resume
            }
            Optional<PendingActivityInfo> merge = jobs.describe(spec.jobId()).flatMap(d -> d.getPendingActivitiesList()
                    .stream().filter(a -> a.getActivityType().getName().equals("MergeRound")
                            && a.getState() == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED).findFirst());
            if (merge.isEmpty()) {
                Thread.sleep(2);
                continue;
            }
            // Every shard logged its round's last step before the merge was scheduled.
            tail.poll();
            Optional<WorkerLogTail.StepDone> last = tail.lastStep(d -> d.job().equals(spec.jobId()));
            if (last.isPresent() && last.get().step() >= spec.totalSteps()) {
                return null;
            }
            long pid = Long.parseLong(merge.get().getLastWorkerIdentity().split("@")[0]);
            int worker = workerOf(runner, pid);
            if (worker < 0) {
                continue;
            }
            long mergedStep = last.map(WorkerLogTail.StepDone::step).orElse(0L);
            Killed k = kill(runner, worker);
            long newest = newestVerified(dir(spec).resolve("global"));
            boolean written = Files.isDirectory(dir(spec).resolve("global").resolve(CheckpointStore.directoryName(mergedStep)));
            WorkerLogTail.Start next = awaitStart(tail, spec, -1, k.nanos);
            WorkerLogTail.StepDone firstStep = awaitStep(tail, spec, next);
            return new Crash(spec.jobId(), options.session().name(), options.shards(), Phase.MERGE.name(),
                    written ? "merge (after its checkpoint was renamed in)" : "merge", -1, worker, pid, mergedStep, newest,
                    next.fromStep(), next.source(), mergedStep - next.fromStep(), checkpointEvery(),
                    seconds(next.seenNanos() - k.nanos), seconds(firstStep.seenNanos() - k.nanos));
        }
    }

    private record Killed(long pid, long nanos) {
    }

    private static Killed kill(LocalRunner runner, int worker) {
        ProcessHandle p = runner.supervisor().process(worker).orElseThrow(() ->
                new AssertionError("worker " + worker + " is not running"));
        long nanos = System.nanoTime();
        p.destroyForcibly(); // SIGKILL on Linux
        p.onExit().join();
        return new Killed(p.pid(), nanos);
    }

    private static int workerOf(LocalRunner runner, long pid) {
        for (int i = 0; i < runner.supervisor().count(); i++) {
            Optional<ProcessHandle> p = runner.supervisor().process(i);
            if (p.isPresent() && p.get().pid() == pid) {
                return i;
            }
        }
        return -1;
    }

    private Crash recovery(WorkerLogTail tail, JobSpec spec, Phase aimed, String phase, WorkerLogTail.Start killedAttempt,
                           Killed k) throws Exception {
        tail.poll();
        int shard = killedAttempt.shard();
        long stepAtKill = tail.lastStep(d -> d.job().equals(spec.jobId()) && d.shard() == shard
                        && d.worker() == killedAttempt.worker() && d.seenNanos() >= killedAttempt.seenNanos())
                .map(WorkerLogTail.StepDone::step).orElse(killedAttempt.fromStep());
        long newest = newestVerified(dir(spec).resolve("shard-" + shard));
        WorkerLogTail.Start next = awaitStart(tail, spec, shard, k.nanos);
        WorkerLogTail.StepDone first = awaitStep(tail, spec, next);
        return new Crash(spec.jobId(), options.session().name(), options.shards(), aimed.name(), phase, shard,
                killedAttempt.worker(), k.pid, stepAtKill, newest, next.fromStep(), next.source(), stepAtKill - next.fromStep(),
                checkpointEvery(), seconds(next.seenNanos() - k.nanos), seconds(first.seenNanos() - k.nanos));
    }

    /** The first attempt start after the kill (of {@code shard}, or of any shard when negative). */
    private static WorkerLogTail.Start awaitStart(WorkerLogTail tail, JobSpec spec, int shard, long afterNanos)
            throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Optional<WorkerLogTail.Start> s = tail.firstStart(x -> x.job().equals(spec.jobId())
                    && (shard < 0 || x.shard() == shard) && x.seenNanos() > afterNanos);
            if (s.isPresent()) {
                return s.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no new attempt of shard " + shard + " of " + spec.jobId() + " within " + WAIT);
            }
            Thread.sleep(5);
        }
    }

    private static WorkerLogTail.StepDone awaitStep(WorkerLogTail tail, JobSpec spec, WorkerLogTail.Start start)
            throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Optional<WorkerLogTail.StepDone> d = tail.firstStep(x -> x.job().equals(spec.jobId())
                    && x.shard() == start.shard() && x.worker() == start.worker() && x.seenNanos() >= start.seenNanos());
            if (d.isPresent()) {
                return d.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("shard " + start.shard() + " of " + spec.jobId() + " did not train after its"
                        + " restart within " + WAIT);
            }
            Thread.sleep(5);
        }
    }

    /** Waits on the workflow's result (a long poll, no queries: a loaded worker may answer them late). */
    private static JobResult awaitEnd(LocalRunner runner, String id) throws Exception {
        try {
            return java.util.concurrent.CompletableFuture.supplyAsync(() -> runner.jobs().result(id))
                    .get(10, java.util.concurrent.TimeUnit.MINUTES);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("job " + id + " did not end within 10 minutes", e);
        }
    }

    private Path dir(JobSpec spec) {
        return options.workDir().resolve(spec.jobId());
    }

    private static Set<String> tempDirectories(Path store) throws IOException {
        Set<String> names = new HashSet<>();
        if (!Files.isDirectory(store)) {
            return names;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(store, ".tmp-*")) {
            for (Path d : dirs) {
                names.add(d.getFileName().toString());
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return names;
        }
        return names;
    }

    private static Set<String> newTempDirectories(Path store, Set<String> before) throws IOException {
        Set<String> now = tempDirectories(store);
        now.removeAll(before);
        return now;
    }

    private static long newestVerified(Path store) throws IOException {
        return new CheckpointStore(store).latestVerified().map(c -> c.step()).orElse(-1L);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /**
     * The embedded server and {@code shards} supervised workers, as {@code dinoj pretrain} starts
     * them. The workers log each step (debug), and for {@link SessionKind#DINOV2} they get the class
     * path without the worker's test jar, so that the production DINOv2 session is the one found.
     */
    public static LocalRunner startRunner(SessionKind session, int workers, Path dir) throws IOException {
        String stepLogger = "org.slf4j.simpleLogger.log." + org.dinoj.worker.activities.TrainingActivitiesImpl.class.getName();
        System.setProperty(stepLogger, "debug");
        LocalRunner.Options opts = new LocalRunner.Options(null, 0, workers, dir,
                List.of(DinojCli.class.getName(), "worker"));
        synchronized (FaultHarness.class) {
            String classPath = System.getProperty("java.class.path");
            if (session == SessionKind.DINOV2) {
                System.setProperty("java.class.path", ProductionClassPath.of(classPath));
            }
            try {
                return LocalRunner.start(opts, line -> log.info("supervisor: {}", line));
            } finally {
                System.setProperty("java.class.path", classPath);
            }
        }
    }
}
