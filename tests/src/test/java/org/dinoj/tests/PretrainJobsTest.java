package org.dinoj.tests;

import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.dinoj.model.checkpoint.CheckpointStore;
import org.dinoj.worker.activities.CheckpointLayout;
import org.dinoj.worker.cli.DinojCli;
import org.dinoj.worker.jobs.JobRecord;
import org.dinoj.worker.jobs.JobService;
import org.dinoj.worker.jobs.JobSpecs;
import org.dinoj.worker.jobs.LocalRunner;
import org.dinoj.workflows.JobResult;
import org.dinoj.workflows.JobSpec;
import org.dinoj.workflows.JobStatus;
import org.dinoj.workflows.RoundHeartbeat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jobs end to end over real gRPC: the embedded Temporal server, worker processes started as
 * separate JVMs by the production supervisor (running the production 'dinoj worker' with the toy
 * session, registered through META-INF/services in the worker's test jar), and faults.
 * Heartbeat timeouts are 2 s so a dead worker is noticed quickly; waits poll with generous limits
 * because the machine may be loaded.
 */
class PretrainJobsTest {
    private static final Logger log = LoggerFactory.getLogger(PretrainJobsTest.class);
    private static final Duration LIMIT = Duration.ofSeconds(120);

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    private static String config(int shards, long epochLength, long stepMillis) {
        return "optim: {epochs: 1}\n"
                + "train: {OFFICIAL_EPOCH_LENGTH: " + epochLength + "}\n"
                + "job: {shards: " + shards + ", steps_per_round: 40, checkpoint_every_steps: 5, eval_every_epochs: 0,"
                + " heartbeat_timeout_seconds: 2}\n"
                + "toy: {dim: 4, step_millis: " + stepMillis + "}\n";
    }

    private LocalRunner runner(int workers) throws IOException {
        return LocalRunner.start(new LocalRunner.Options(temporalTarget(), 0, workers, dir,
                List.of(DinojCli.class.getName(), "worker")), line -> log.info("supervisor: {}", line));
    }

    /** The Temporal service the runners use, as host:port; null: the embedded server each runner starts. */
    protected String temporalTarget() {
        return null;
    }

    /** Skips, saying why, a test of what only the embedded server needs: the registry's reconcile. */
    private void assumeEmbeddedServer() {
        embeddedOnly("it keeps its jobs across a restart of dinoj, so there is no reconcile to test"
                + " (RealTemporalRestartTest covers its restart)");
    }

    /**
     * Skips on the real server, saying why: a test of what dinoj decides before or beside the server
     * (its command line, the registry, the checkpoints), which runs the same on both.
     */
    private void embeddedOnly(String reason) {
        if (temporalTarget() != null) {
            String said = "SKIPPED on the real server: " + reason;
            // Surefire does not show assumption messages in its summary; people need to see why.
            System.err.println(said);
            org.junit.jupiter.api.Assumptions.abort(said);
        }
    }

    private JobSpec submit(LocalRunner runner, String id, String config) throws IOException {
        JobSpec spec = JobSpecs.create(id, config, dir.resolve(id), null);
        runner.jobs().registry().register(spec);
        runner.jobs().start(spec, null);
        return spec;
    }

    @Test
    void aKilledWorkerIsRestartedAndTheRoundResumesFromItsNewestVerifiedCheckpoint() throws Exception {
        try (LocalRunner runner = runner(1)) {
            JobService jobs = runner.jobs();
            JobSpec spec = submit(runner, "kill", config(1, 80, 40));
            await("a heartbeat that names a checkpoint", () -> heartbeat(jobs, "kill") != null
                    && heartbeat(jobs, "kill").lastCheckpoint() != null && heartbeat(jobs, "kill").step() >= 12);

            ProcessHandle worker = runner.supervisor().process(0).orElseThrow();
            long killed = System.nanoTime();
            worker.destroyForcibly();
            worker.onExit().join();
            // What the server kept of the dead attempt is what its retry receives.
            RoundHeartbeat stale = heartbeat(jobs, "kill");
            long lastHeartbeatCheckpoint = stale.lastCheckpoint().step();
            // Heartbeats are throttled, so the dead attempt may have written newer checkpoints than its
            // last delivered heartbeat names: the retry starts from the newest one that verifies.
            long newestOnDisk = new CheckpointStore(dir.resolve("kill/shard-0")).latestVerified().orElseThrow().step();

            await("the retried round training again", () -> {
                List<JobService.PendingRound> rounds = jobs.pendingRounds("kill");
                // New details come from the new attempt, which heartbeats as soon as its session is open.
                return !rounds.isEmpty() && rounds.getFirst().attempt() >= 2 && rounds.getFirst().heartbeat() != null
                        && !rounds.getFirst().heartbeat().equals(stale);
            });
            double seconds = (System.nanoTime() - killed) / 1e9;
            RoundHeartbeat resumed = jobs.pendingRounds("kill").getFirst().heartbeat();
            log.info("kill -9 -> training resumed at step {} after {} s", resumed.events().resumedFromStep(),
                    String.format("%.2f", seconds));

            assertThat(newestOnDisk).isGreaterThanOrEqualTo(lastHeartbeatCheckpoint);
            assertThat(resumed.events().resumedFrom()).isEqualTo(newestOnDisk == lastHeartbeatCheckpoint
                    ? "heartbeat checkpoint" : "newer checkpoint of this round");
            assertThat(resumed.events().resumedFromStep()).isEqualTo(newestOnDisk);
            assertThat(runner.supervisor().restarts(0)).isGreaterThanOrEqualTo(1);
            JobResult result = awaitEnd(runner, "kill");
            assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(result.step()).isEqualTo(spec.totalSteps());
            assertThat(result.finalCheckpoint().uri()).contains("/kill/shard-0/step-0000000080");
        }
    }

    @Test
    void aWorkerStoppedWithSigtermEndsItsRoundAtACheckpointWithoutSpendingAnAttempt() throws Exception {
        try (LocalRunner runner = runner(1)) {
            JobService jobs = runner.jobs();
            // One attempt per round: a failed attempt would fail the job.
            JobSpec spec = submit(runner, "term", config(1, 80, 40).replace("heartbeat_timeout_seconds: 2",
                    "heartbeat_timeout_seconds: 2, max_attempts: 1"));
            await("a heartbeat at step 12 or later", () -> heartbeat(jobs, "term") != null
                    && heartbeat(jobs, "term").step() >= 12);

            ProcessHandle worker = runner.supervisor().process(0).orElseThrow();
            worker.destroy(); // SIGTERM: the worker's shutdown hook stops it gracefully
            worker.onExit().join();
            String stoppedLog = Files.readString(runner.supervisor().logFile(0));
            java.util.regex.Matcher stopped = java.util.regex.Pattern
                    .compile("shard 0: stopped at step (\\d+) \\(ActivityWorkerShutdownException\\)").matcher(stoppedLog);
            assertThat(stopped.find()).as(stoppedLog).isTrue();
            long stoppedAt = Long.parseLong(stopped.group(1));

            await("term ended", () -> runner.jobs().serviceState("term") == JobService.ServiceState.FAILED
                    || runner.syncRegistry("term").status() == JobStatus.COMPLETED);
            if (runner.jobs().serviceState("term") == JobService.ServiceState.FAILED) {
                throw new AssertionError("term failed: " + runner.jobs().recordFailure("term"));
            }
            JobResult result = runner.jobs().result("term");
            assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(result.step()).isEqualTo(spec.totalSteps());
            // The restarted worker went on from the checkpoint the stopping one wrote at the step it stopped at.
            assertThat(Files.readString(runner.supervisor().logFile(0)))
                    .contains("starting from " + dir.resolve("term/shard-0/" + CheckpointStore.directoryName(stoppedAt)));
        }
    }

    @Test
    void jobsListRecordsAJobThatEndedInTemporalAndJobsStatusSaysWhenThereIsNoSuchJob() throws Exception {
        try (LocalRunner runner = runner(1)) {
            submit(runner, "ended", config(1, 20, 5));
            await("ended completed in Temporal", () -> runner.jobs().serviceState("ended") == JobService.ServiceState.COMPLETED);
            org.dinoj.worker.jobs.JobRegistry registry = new org.dinoj.worker.jobs.JobRegistry(dir);
            // Nothing watched it end: the registry still has it running.
            assertThat(registry.find("ended").orElseThrow().status()).isEqualTo(org.dinoj.worker.jobs.JobRecord.RegistryStatus.RUNNING);

            CliOutput list = CliOutput.dinoj("jobs", "list", "--temporal", runner.target(), "--checkpoint-dir", dir.toString());
            assertThat(list.out()).as(list.out() + list.err()).containsPattern("(?m)^ended\\s+registry: completed$");
            org.dinoj.worker.jobs.JobRecord recorded = registry.find("ended").orElseThrow();
            assertThat(recorded.status()).isEqualTo(org.dinoj.worker.jobs.JobRecord.RegistryStatus.COMPLETED);
            assertThat(recorded.latestCheckpoint().step()).isEqualTo(20);

            CliOutput none = CliOutput.dinoj("jobs", "status", "no-such-job", "--temporal", runner.target(),
                    "--checkpoint-dir", dir.toString());
            assertThat(none.code()).isEqualTo(1);
            assertThat(none.out()).isEqualTo("no job 'no-such-job' on this Temporal service or in the registry at "
                    + dir.toAbsolutePath().normalize().resolve("registry") + "\n");
        }
    }

    @Test
    void twoWorkersTrainTwoShardsInParallelAndMergeThem() throws Exception {
        try (LocalRunner runner = runner(2)) {
            JobService jobs = runner.jobs();
            JobSpec spec = submit(runner, "diloco", config(2, 80, 30));
            await("both shards training at once", () -> jobs.pendingRounds("diloco").stream()
                    .filter(r -> r.heartbeat() != null && r.heartbeat().step() > 0).count() == 2);

            JobResult result = awaitEnd(runner, "diloco");
            assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(result.finalCheckpoint().uri()).contains("/diloco/global/step-0000000080");
            Path global = CheckpointLayout.directory(result.finalCheckpoint());
            assertThat(global.resolve("outer_momentum.safetensors")).exists();
            assertThat(new CheckpointStore(dir.resolve("diloco/shard-1")).latestVerified().orElseThrow().step())
                    .isEqualTo(spec.totalSteps());
            assertTemporalUiLabels(runner, spec);
        }
    }

    /**
     * What the Temporal UI shows of the job: the workflow's summary and details, and each activity by
     * what it does (round, shard and steps; the merge).
     */
    private void assertTemporalUiLabels(LocalRunner runner, JobSpec spec) {
        io.temporal.serviceclient.WorkflowServiceStubs service = org.dinoj.worker.temporal.WorkerBootstrap.connect(runner.target());
        try {
            List<io.temporal.api.history.v1.HistoryEvent> events = io.temporal.client.WorkflowClient.newInstance(service)
                    .fetchHistory(spec.jobId()).getEvents();
            io.temporal.api.sdk.v1.UserMetadata job = events.getFirst().getUserMetadata();
            assertThat(text(job.getSummary())).isEqualTo("dinoj pretraining job diloco");
            assertThat(text(job.getDetails())).isEqualTo("**Checkpoints** `" + spec.checkpointStore() + "`\n\n"
                    + "**Starts from** scratch\n\n"
                    + "**Steer it** with `dinoj jobs status|pause|resume|cancel diloco --checkpoint-dir " + dir + "`, `dinoj"
                    + " jobs set-epochs diloco N --checkpoint-dir " + dir + "`, `dinoj jobs retry diloco --checkpoint-dir "
                    + dir + "` after a failure, or the REST API's `/v1/jobs/diloco`.");
            List<String> activities = events.stream()
                    .filter(io.temporal.api.history.v1.HistoryEvent::hasActivityTaskScheduledEventAttributes)
                    .map(e -> text(e.getUserMetadata().getSummary())).toList();
            assertThat(activities).contains("train round 0, shard 0 (of 2): to step 40 of 80",
                    "train round 0, shard 1 (of 2): to step 40 of 80", "merge the 2 shards of round 0 at step 40",
                    "train round 1, shard 1 (of 2): to step 80 of 80");
        } finally {
            service.shutdownNow();
        }
    }

    private static String text(io.temporal.api.common.v1.Payload payload) {
        return io.temporal.common.converter.DefaultDataConverter.STANDARD_INSTANCE.fromPayload(payload, String.class,
                String.class);
    }

    @Test
    void pauseCheckpointsAndStopsTrainingResumeContinuesAndCancelEndsTheJob() throws Exception {
        try (LocalRunner runner = runner(1)) {
            JobService jobs = runner.jobs();
            submit(runner, "ctl", config(1, 400, 60));
            await("training under way", () -> heartbeat(jobs, "ctl") != null && heartbeat(jobs, "ctl").step() >= 3);

            jobs.pause("ctl");
            await("paused", () -> runner.syncRegistry("ctl").status() == JobStatus.PAUSED);
            org.dinoj.workflows.Progress paused = jobs.progress("ctl");
            long pausedAt = paused.step();
            assertThat(pausedAt).as(paused.toString()).isPositive();
            assertThat(paused.lastCheckpoint().step()).as(paused.toString()).isEqualTo(pausedAt);
            assertThat(jobs.pendingRounds("ctl")).isEmpty();
            assertThat(jobs.registry().find("ctl").orElseThrow().status()).isEqualTo(JobRecord.RegistryStatus.PAUSED);

            jobs.resume("ctl");
            java.util.concurrent.atomic.AtomicReference<RoundHeartbeat> firstAfterResume =
                    new java.util.concurrent.atomic.AtomicReference<>();
            await("training past the pause", () -> {
                RoundHeartbeat hb = heartbeat(jobs, "ctl");
                if (hb != null && hb.step() > pausedAt) {
                    firstAfterResume.compareAndSet(null, hb);
                }
                return firstAfterResume.get() != null;
            });
            // The round after the resume starts where the pause stopped; it may be a short remainder up
            // to the next multiple of steps_per_round (40) that ends before a poll sees it.
            assertThat(firstAfterResume.get().events().resumedFromStep()).isBetween(pausedAt, (pausedAt / 40 + 1) * 40);

            jobs.cancel("ctl");
            JobResult result = awaitEnd(runner, "ctl");
            assertThat(result.status()).isEqualTo(JobStatus.CANCELLED);
            assertThat(result.step()).isGreaterThan(pausedAt).isLessThan(400);
            assertThat(result.finalCheckpoint().step()).isEqualTo(result.step());

            if (temporalTarget() != null) {
                // Listed from a registry that does not hold it (visibility: the real server only). dinoj's
                // cancel ends the workflow as completed; its result says cancelled.
                String otherRegistry = dir.resolve("another-registry").toString();
                AtomicReference<String> listed = new AtomicReference<>("");
                try {
                    await("ctl listed as cancelled, not in this registry", () -> {
                        listed.set(CliOutput.dinoj("jobs", "list", "--temporal", runner.target(), "--checkpoint-dir",
                                otherRegistry).out());
                        return Pattern.compile("(?m)^ctl\\s+cancelled \\(not in this registry\\)$").matcher(listed.get()).find();
                    });
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; the last list:\n" + listed.get(), e);
                }
                assertThat(Pattern.compile("(?m)^ctl\\s").matcher(listed.get()).results().count()).as(listed.get()).isEqualTo(1);
            }
        }
    }

    @Test
    void aTerminatedJobSaysWhereItStoppedAndPretrainRetryFinishesItFromThere() throws Exception {
        long recorded;
        try (LocalRunner runner = runner(1)) {
            submit(runner, "retry", config(1, 120, 40));
            await("a few checkpoints", () -> verifiedSteps("retry").size() >= 2);
            terminate(runner, "retry", "operator stop");

            // 'jobs status' only reads: the reason, and the newest checkpoint on disk.
            CliOutput status = CliOutput.dinoj("jobs", "status", "retry", "--temporal", runner.target(),
                    "--checkpoint-dir", dir.toString());
            assertThat(status.code()).as(status.out()).isZero();
            java.util.regex.Matcher shown = java.util.regex.Pattern.compile("retry: failed: terminated in Temporal:"
                    + " operator stop\n  newest verified checkpoint: step (\\d+)  (\\S+)\n"
                    + "  'dinoj pretrain --job-id retry --retry' starts it again from there\n").matcher(status.out());
            assertThat(shown.matches()).as(status.out()).isTrue();
            CheckpointStore store = new CheckpointStore(dir.resolve("retry/shard-0"));
            assertThat(shown.group(2)).isEqualTo(CheckpointLayout.ref(store.verify(Long.parseLong(shown.group(1)))).uri());
            assertThat(runner.jobs().registry().find("retry").orElseThrow().status())
                    .isEqualTo(JobRecord.RegistryStatus.RUNNING);

            // As 'pretrain' and the API record what they see.
            assertThat(runner.jobs().recordFailure("retry")).isEqualTo("terminated in Temporal: operator stop");
            JobRecord failed = runner.jobs().registry().find("retry").orElseThrow();
            assertThat(failed.status()).isEqualTo(JobRecord.RegistryStatus.FAILED);
            assertThat(failed.message()).isEqualTo("failed: terminated in Temporal: operator stop");
            recorded = failed.latestCheckpoint().step();
            assertThat(recorded).isGreaterThanOrEqualTo(Long.parseLong(shown.group(1)));
            store.verify(recorded);
        }
        // The command a person runs next: it says how the job ended, and with --retry it finishes it.
        List<String> pretrain = new java.util.ArrayList<>(List.of(pretrainArgs("--job-id", "retry")));
        // The terminated round stopped at its next heartbeat, maybe with a checkpoint newer than the registry's.
        long newest = new CheckpointStore(dir.resolve("retry/shard-0")).latestVerified().orElseThrow().step();
        assertThat(newest).isGreaterThanOrEqualTo(recorded).isLessThan(120);
        CliOutput refused = CliOutput.dinoj(pretrain.toArray(String[]::new));
        assertThat(refused.code()).as(refused.out()).isEqualTo(1);
        assertThat(refused.out()).contains("job retry failed: terminated in Temporal: operator stop; newest verified"
                + " checkpoint: step " + newest + ". Run the same command with --retry to start it again from there.");

        pretrain.add("--retry");
        List<String> reshaping = new java.util.ArrayList<>(pretrain);
        reshaping.addAll(List.of("--set", "student.depth=4"));
        CliOutput reshaped = CliOutput.dinoj(reshaping.toArray(String[]::new));
        assertThat(reshaped.code()).as(reshaped.out()).isEqualTo(2);
        assertThat(reshaped.out()).contains("a retry can change only keys of the optim, teacher and compute sections"
                + " and data.max_bad_fraction (key=value, e.g. optim.base_lr=0.001), not 'student.depth=4'");
        assertThat(new org.dinoj.worker.jobs.JobRegistry(dir).find("retry").orElseThrow().status())
                .isEqualTo(JobRecord.RegistryStatus.FAILED);

        pretrain.addAll(List.of("--set", "optim.base_lr=0.002"));
        CliOutput retried = CliOutput.dinoj(pretrain.toArray(String[]::new));
        assertThat(retried.code()).as(retried.out()).isZero();
        assertThat(retried.out()).contains("retrying job retry from step " + newest + " ("
                        + dir.resolve("retry/shard-0").resolve(CheckpointStore.directoryName(newest)) + ") with"
                        + " optim.base_lr=0.002")
                .contains("job retry completed at step 120; final checkpoint "
                        + dir.resolve("retry/shard-0").resolve(CheckpointStore.directoryName(120)));
        JobRecord done = new org.dinoj.worker.jobs.JobRegistry(dir).find("retry").orElseThrow();
        assertThat(done.status()).isEqualTo(JobRecord.RegistryStatus.COMPLETED);
        assertThat(done.latestCheckpoint().step()).isEqualTo(120);
        assertThat(done.spec().config()).contains("base_lr: 0.002");
    }

    @Test
    void pretrainNamesAnEarlierBetterCheckpointAndRetentionKeepsIt() throws Exception {
        embeddedOnly("the best checkpoint and retention are the evaluation activity's, the same on both servers");
        // A negative learning rate walks the toy away from its target: its k-NN falls, so epoch 1 scores best.
        Path config = dir.resolve("falling.yaml");
        Files.writeString(config, "optim: {epochs: 3}\ntrain: {OFFICIAL_EPOCH_LENGTH: 20}\n"
                + "job: {steps_per_round: 20, checkpoint_every_steps: 5, eval_every_epochs: 1, heartbeat_timeout_seconds: 2}\n"
                + "toy: {dim: 4, lr: -0.05, step_millis: 5}\n");
        CliOutput run = CliOutput.dinoj(pretrainArgs("--config", config.toString(), "--job-id", "best"));
        assertThat(run.code()).as(run.out()).isZero();
        Path best = dir.resolve("best/shard-0").resolve(CheckpointStore.directoryName(20));
        assertThat(run.out()).contains("job best completed at step 60; final checkpoint")
                .containsPattern("best k-NN top-1 \\d+\\.\\d\\d% at epoch 1 \\(step 20\\); its checkpoint is kept: "
                        + java.util.regex.Pattern.quote(best.toString()) + "\n");
        new CheckpointStore(dir.resolve("best/shard-0")).verify(20);
        JsonNode results = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("best/results.json").toFile());
        assertThat(results.at("/best_knn_top1/checkpoint").asText()).isEqualTo("shard-0/step-0000000020");
        assertThat(results.get("evaluations")).hasSize(3);
    }

    @Test
    void initFromStartsANewJobFromAnotherJobsWeightsAndRefusesAnotherModelAtOnce() throws Exception {
        embeddedOnly("the base weights are checked by the command and the round, the same on both servers");
        Path config = dir.resolve("toy.yaml");
        Files.writeString(config, config(1, 20, 5));
        CliOutput base = CliOutput.dinoj(pretrainArgs("--config", config.toString(), "--job-id", "base"));
        assertThat(base.code()).as(base.out()).isZero();
        // Weights as a person hands them over: a copy under another name.
        Path exported = dir.resolve("exported-weights");
        Directories.copyFlat(dir.resolve("base/shard-0").resolve(CheckpointStore.directoryName(20)), exported);

        CliOutput tuned = CliOutput.dinoj(pretrainArgs("--config", config.toString(), "--job-id", "tuned",
                "--init-from", exported.toString()));
        assertThat(tuned.code()).as(tuned.out()).isZero();
        assertThat(tuned.out()).contains("starting from the weights of " + exported + " (its step 20); optimizer state"
                + " and schedules start at step 0").contains("job tuned completed at step 20");
        assertThat(new org.dinoj.worker.jobs.JobRegistry(dir).find("tuned").orElseThrow().spec().baseCheckpoint().uri())
                .isEqualTo(exported.toUri().toString());

        // Another model than the base's config.yaml: refused when submitted, before anything is recorded.
        Path wider = dir.resolve("wider.yaml");
        Files.writeString(wider, config(1, 20, 5).replace("dim: 4", "dim: 8"));
        CliOutput mismatch = CliOutput.dinoj(pretrainArgs("--config", wider.toString(), "--job-id", "wider",
                "--init-from", exported.toString()));
        assertThat(mismatch.code()).as(mismatch.out() + mismatch.err()).isEqualTo(1);
        assertThat(mismatch.err()).isEqualTo("dinoj: the weights of " + exported + " do not fit this configuration's model"
                + " (toy.dim 4 there, 8 here): use the model keys of its config.yaml\n");
        assertThat(dir.resolve("wider")).doesNotExist();
        assertThat(new org.dinoj.worker.jobs.JobRegistry(dir).find("wider")).isEmpty();
        // Weights without a config.yaml to compare with: the job fails at once in its first round, with the
        // reason, not after a worker retried it for ever.
        Path bare = new CheckpointStore(dir.resolve("bare")).save(20, out ->
                Files.copy(exported.resolve("model.safetensors"), out.resolve("model.safetensors"))).directory();
        CliOutput late = CliOutput.dinoj(pretrainArgs("--config", wider.toString(), "--job-id", "wider-late",
                "--init-from", bare.toString()));
        assertThat(late.code()).as(late.out() + late.err()).isEqualTo(1);
        assertThat(late.out()).contains("job wider-late failed: round 0 of shard 0 of job wider-late cannot start from "
                + bare + ": toy checkpoint has 4 weights, the config 8");

        CliOutput existing = CliOutput.dinoj(pretrainArgs("--job-id", "tuned", "--init-from", exported.toString()));
        assertThat(existing.code()).isEqualTo(2);
        assertThat(existing.out()).contains("job tuned exists: --init-from starts new jobs only");

        // Weights from before dinoj kept config.yaml: the defaults would be another model, so they are refused.
        Path old = new CheckpointStore(dir.resolve("old")).save(20, out ->
                Files.copy(exported.resolve("model.safetensors"), out.resolve("model.safetensors"))).directory();
        CliOutput noConfig = CliOutput.dinoj(pretrainArgs("--job-id", "guessed", "--init-from", old.toString()));
        assertThat(noConfig.code()).as(noConfig.out()).isEqualTo(2);
        assertThat(noConfig.out()).isEqualTo("pretrain needs --config: " + old + " holds no config.yaml (a checkpoint"
                + " written before dinoj kept one)\n");
        assertThat(dir.resolve("guessed")).doesNotExist();
    }

    /** A key the trainer refuses is one sentence before anything starts: no job folder, no record, no workflow. */
    @Test
    void aConfigurationTheTrainerRefusesIsRefusedBeforeTheJobStarts() throws Exception {
        embeddedOnly("the configuration is refused before any workflow starts");
        Path config = dir.resolve("toy.yaml");
        Files.writeString(config, config(1, 20, 5));
        CliOutput refused = CliOutput.dinoj(pretrainArgs("--config", config.toString(), "--job-id", "no-dim",
                "--set", "toy.dim=0"));
        assertThat(refused.code()).as(refused.out() + refused.err()).isEqualTo(1);
        assertThat(refused.err()).isEqualTo("dinoj: config key 'toy.dim' expects a positive integer, got '0'\n");
        assertThat(refused.out()).doesNotContain("Temporal:");
        assertThat(dir.resolve("no-dim")).doesNotExist();
        assertThat(new org.dinoj.worker.jobs.JobRegistry(dir).find("no-dim")).isEmpty();

        CliOutput negative = CliOutput.dinoj(pretrainArgs("--config", config.toString(), "--max-minutes", "-1"));
        assertThat(negative.code()).isEqualTo(2);
        assertThat(negative.out()).isEqualTo("--max-minutes -1.0 must be above 0 (the minutes after which the job pauses)\n");
        // A registry that is not there is said to be missing, not shown as an empty table.
        Path nowhere = dir.resolve("nowhere");
        CliOutput none = CliOutput.dinoj("jobs", "list", "--checkpoint-dir", nowhere.toString(), "--temporal", "127.0.0.1:1");
        assertThat(none.out()).startsWith("no jobs in the registry at " + nowhere.resolve("registry") + " (it does not"
                + " exist: is --checkpoint-dir the one the jobs were started with?)\n");

        // A new job needs a configuration; an unknown id is not a job to continue.
        CliOutput unknown = CliOutput.dinoj(pretrainArgs("--job-id", "no-such-job"));
        assertThat(unknown.code()).as(unknown.out() + unknown.err()).isEqualTo(2);
        assertThat(unknown.out()).isEqualTo("no job no-such-job in " + dir.resolve("registry") + " to continue: give"
                + " --config PRESET|FILE.yaml (or --init-from DIR) to start it as a new job\n");

        // A known job goes on with its recorded configuration: what --set would make of an empty one is not checked.
        CliOutput done = CliOutput.dinoj(pretrainArgs("--config", config.toString(), "--job-id", "done"));
        assertThat(done.code()).as(done.out()).isZero();
        CliOutput again = CliOutput.dinoj(pretrainArgs("--job-id", "done", "--set", "toy.dim=0"));
        assertThat(again.code()).as(again.out() + again.err()).isZero();
        assertThat(again.out()).contains("job done already ended: completed");

        // A copied registry still names the job's own folder, and the command says so.
        Path copy = Files.createDirectories(dir.resolve("copy/registry"));
        Files.copy(dir.resolve("registry/done.json"), copy.resolve("done.json"));
        List<String> fromCopy = new java.util.ArrayList<>(List.of(pretrainArgs("--job-id", "done")));
        fromCopy.set(fromCopy.indexOf("--checkpoint-dir") + 1, dir.resolve("copy").toString());
        CliOutput copied = CliOutput.dinoj(fromCopy.toArray(String[]::new));
        assertThat(copied.code()).as(copied.out() + copied.err()).isZero();
        assertThat(copied.out()).contains("job done keeps its checkpoints where it was created, " + dir.resolve("done")
                + ", not in " + dir.resolve("copy/done") + " (a copied or moved checkpoint folder is not where the job writes)");
    }

    /** Terminates the job's workflow in Temporal itself, as an operator would, and waits until it shows as failed. */
    private static void terminate(LocalRunner runner, String jobId, String reason) throws Exception {
        io.temporal.serviceclient.WorkflowServiceStubs stubs = org.dinoj.worker.temporal.WorkerBootstrap.connect(runner.target());
        try {
            io.temporal.client.WorkflowClient.newInstance(stubs).newUntypedWorkflowStub(jobId).terminate(reason);
        } finally {
            stubs.shutdown();
        }
        await("failed", () -> runner.jobs().serviceState(jobId) == JobService.ServiceState.FAILED);
    }

    @Test
    void setEpochsSaysWhenTheRoundUnderWayEndsTheJobOnItsOldSchedule() throws Exception {
        embeddedOnly("the note reads heartbeats, the same on both servers");
        try (LocalRunner runner = runner(1)) {
            // Rounds of a whole epoch (30 steps of 200 ms): the round under way ends where epoch 1 does.
            submit(runner, "len", config(1, 30, 200).replace("optim: {epochs: 1}", "optim: {epochs: 3}")
                    .replace("steps_per_round: 40", "steps_per_round: 30"));
            await("training under way", () -> heartbeat(runner.jobs(), "len") != null);
            CliOutput longer = CliOutput.dinoj("jobs", "set-epochs", "--temporal", runner.target(), "--checkpoint-dir",
                    dir.toString(), "len", "2");
            // In the first round (to step 30) no note; on a slow machine the second (to 60, the new end) has one.
            assertThat(longer.out()).as(longer.out() + longer.err())
                    .startsWith("len now trains 2 epochs; the next round follows the new schedules\n");
            assertThat(longer.out().lines().count()).isLessThanOrEqualTo(2);

            CliOutput last = CliOutput.dinoj("jobs", "set-epochs", "--temporal", runner.target(), "--checkpoint-dir",
                    dir.toString(), "len", "1");
            assertThat(last.code()).as(last.out() + last.err()).isZero();
            // In the first round (to step 30, the new end); on a slow machine the second (to 60, past it).
            assertThat(last.out()).matches("len now trains 1 epochs; the next round follows the new schedules\n"
                    + "note: the round under way trains to step (30|60 \\(past the new end at step 30\\)) on the"
                    + " schedules it started with, and the job ends with it: its learning rate does not decay to the"
                    + " new end\\. For a last round on the new schedules, set at least (2|3) epochs\n");
            if (longer.out().contains("note:")) {
                return; // the second round was under way already: the job ends at step 60 whatever the length
            }
            JobResult result = awaitEnd(runner, "len");
            assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(result.step()).isIn(30L, 60L);
        }
    }

    /** 'dinoj pretrain' with this test's checkpoint directory, an embedded server on a free port or the real server. */
    private String[] pretrainArgs(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("pretrain", "--checkpoint-dir", dir.toString(), "--port", "0"));
        if (temporalTarget() != null) {
            all.addAll(List.of("--temporal", temporalTarget()));
        }
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    @Test
    void afterAServerRestartReconcileResumesTheJobFromItsLatestCheckpointAtItsChangedLength() throws Exception {
        assumeEmbeddedServer();
        JobSpec spec;
        try (LocalRunner first = runner(1)) {
            spec = submit(first, "restart", config(1, 120, 40));
            await("a few checkpoints", () -> verifiedSteps("restart").size() >= 2);
            // The job's length changes through the CLI as a person would; the registry must keep it.
            int code = new picocli.CommandLine(new DinojCli()).execute("jobs", "set-epochs", "--temporal",
                    first.target(), "--checkpoint-dir", dir.toString(), "restart", "2");
            assertThat(code).isZero();
            assertThat(first.jobs().progress("restart").totalSteps()).isEqualTo(240);
            // As RecordJobSpec leaves a job its time budget sized (the toy takes no budget itself).
            JobSpec recorded = first.jobs().registry().find("restart").orElseThrow().spec();
            assertThat(first.jobs().registry().updateSizedSpec(recorded, "2 epochs, as a budget chose", "sized")).isTrue();
        }
        assertThat(new org.dinoj.worker.jobs.JobRegistry(dir).find("restart").orElseThrow().spec().epochs())
                .isEqualTo(2);
        // The embedded server's memory is gone; the registry and the checkpoints are not.
        long latest = new CheckpointStore(dir.resolve("restart/shard-0")).latestVerified().orElseThrow().step();
        assertThat(latest).isPositive();

        try (LocalRunner second = runner(1)) {
            assertThat(second.jobs().reconcile()).containsExactly("restart");
            assertThat(second.jobs().registry().find("restart").orElseThrow().message())
                    .isEqualTo("restarted from step " + latest + " (" + CheckpointLayout.ref(
                            new CheckpointStore(dir.resolve("restart/shard-0")).verify(latest)).uri() + ")");
            // How the budget sized it is shown again, in the query (and so in pretrain's schedule line).
            assertThat(second.jobs().progress("restart").schedule()).isEqualTo("2 epochs, as a budget chose");
            JobResult result = awaitEnd(second, "restart");
            assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(result.step()).isEqualTo(2 * spec.totalSteps());
        }
    }

    /** Checkpoints the registry knows of that are gone (a mount missing, a folder moved) stop a restart, not start it over. */
    @Test
    void aJobWhoseCheckpointsAreGoneIsNotStartedOverAndARetryGoesOnOnceTheyAreBack() throws Exception {
        assumeEmbeddedServer();
        try (LocalRunner first = runner(1)) {
            submit(first, "gone", config(1, 120, 40));
            await("a few checkpoints", () -> verifiedSteps("gone").size() >= 2);
        }
        CheckpointStore store = new CheckpointStore(dir.resolve("gone/shard-0"));
        long latest = store.latestVerified().orElseThrow().step();
        // As pretrain's progress loop and the API record it.
        new org.dinoj.worker.jobs.JobRegistry(dir).update("gone", JobRecord.RegistryStatus.RUNNING,
                CheckpointLayout.ref(store.verify(latest)), null);
        Path moved = Files.move(dir.resolve("gone"), dir.resolve("elsewhere"));

        try (LocalRunner second = runner(1)) {
            assertThat(second.jobs().reconcile()).isEmpty();
            JobRecord failed = second.jobs().registry().find("gone").orElseThrow();
            assertThat(failed.status()).isEqualTo(JobRecord.RegistryStatus.FAILED);
            assertThat(failed.message()).isEqualTo("failed: job gone's registry records its checkpoint of step " + latest
                    + " (" + dir.resolve("gone/shard-0").resolve(CheckpointStore.directoryName(latest)) + "), but no"
                    + " checkpoint in " + dir.resolve("gone") + " verifies now: is its file system mounted, or was the"
                    + " folder moved or deleted? Bring it back and run this again; the job is not started over from step 0");
            assertThat(dir.resolve("gone")).doesNotExist();
            assertThat(second.jobs().serviceState("gone")).isEqualTo(JobService.ServiceState.UNKNOWN);

            Files.move(moved, dir.resolve("gone"));
            second.jobs().retry("gone", List.of(), false);
            JobResult result = awaitEnd(second, "gone");
            assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(result.step()).isEqualTo(120);
        }
    }

    /** A run that fails while its checkpoints are away keeps the registry's record of them, so a retry is refused. */
    @Test
    void aJobThatFailsWhileItsCheckpointsAreGoneKeepsTheirRecordAndARetryIsRefused() throws Exception {
        embeddedOnly("the registry and the checkpoint store decide it (a failed workflow on the real server:"
                + " aTerminatedJobSaysWhereItStoppedAndPretrainRetryFinishesItFromThere)");
        try (LocalRunner runner = runner(1)) {
            submit(runner, "away", config(1, 400, 40));
            await("a few checkpoints", () -> verifiedSteps("away").size() >= 2);
            CheckpointStore store = new CheckpointStore(dir.resolve("away/shard-0"));
            long recorded = store.latestVerified().orElseThrow().step();
            runner.jobs().registry().update("away", JobRecord.RegistryStatus.RUNNING,
                    CheckpointLayout.ref(store.verify(recorded)), null);
            terminate(runner, "away", "mount lost");
            Thread.sleep(5000); // the terminated round stops at its next status read (every 0.5 s here)
            Files.move(dir.resolve("away"), dir.resolve("elsewhere"));

            runner.jobs().recordFailure("away");
            JobRecord failed = runner.jobs().registry().find("away").orElseThrow();
            assertThat(failed.status()).isEqualTo(JobRecord.RegistryStatus.FAILED);
            assertThat(failed.latestCheckpoint()).as("what the registry knew of stays").isNotNull();
            assertThat(failed.latestCheckpoint().step()).isEqualTo(recorded);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> runner.jobs().retry("away", List.of(), true))
                    .isInstanceOf(JobService.CheckpointsMissingException.class)
                    .hasMessageContaining("the job is not started over from step 0");
            assertThat(dir.resolve("away")).doesNotExist();
        }
    }

    /** A pause reaches a round whose attempts keep failing (a full disk here): the next attempt stops at once. */
    @Test
    void aPauseStopsARoundWhoseAttemptsKeepFailingAndResumeFinishesTheJob() throws Exception {
        Path full = Files.writeString(dir.resolve("disk-is-full"), "while this file exists");
        String config = config(1, 40, 5).replace("toy: {dim: 4, step_millis: 5}",
                "toy: {dim: 4, step_millis: 5, disk_full_while_exists: '" + full + "'}");
        try (LocalRunner runner = runner(1)) {
            submit(runner, "full", config);
            await("a failed attempt", () -> runner.jobs().pendingRounds("full").stream().anyMatch(r -> r.attempt() > 1));
            runner.jobs().pause("full");
            await("paused", () -> runner.jobs().progress("full").status() == JobStatus.PAUSED);
            assertThat(verifiedSteps("full")).isEmpty();

            Files.delete(full);
            runner.jobs().resume("full");
            JobResult result = awaitEnd(runner, "full");
            assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(result.step()).isEqualTo(40);
        }
    }

    @Test
    void aCorruptNewestCheckpointIsSkippedAndTheJobResumesFromThePreviousOne() throws Exception {
        assumeEmbeddedServer();
        try (LocalRunner first = runner(1)) {
            submit(first, "corrupt", config(1, 60, 40));
            await("a few checkpoints", () -> verifiedSteps("corrupt").size() >= 2);
            first.jobs().pause("corrupt");
            await("paused", () -> first.syncRegistry("corrupt").status() == JobStatus.PAUSED);
        }
        List<Long> steps = verifiedSteps("corrupt");
        Path newest = dir.resolve("corrupt/shard-0").resolve(CheckpointStore.directoryName(steps.getFirst()));
        byte[] model = Files.readAllBytes(newest.resolve("model.safetensors"));
        model[model.length - 1] ^= 0x55;
        Files.write(newest.resolve("model.safetensors"), model);

        try (LocalRunner second = runner(1)) {
            assertThat(second.jobs().reconcile()).containsExactly("corrupt");
            assertThat(second.jobs().registry().find("corrupt").orElseThrow().message())
                    .startsWith("restarted from step " + steps.get(1) + " ");
            assertThat(second.jobs().progress("corrupt").status()).isEqualTo(JobStatus.PAUSED);
            second.jobs().resume("corrupt");
            JobResult result = awaitEnd(second, "corrupt");
            assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(result.step()).isEqualTo(60);
        }
    }

    private List<Long> verifiedSteps(String job) throws IOException {
        CheckpointStore store = new CheckpointStore(dir.resolve(job).resolve("shard-0"));
        return store.steps().stream().filter(s -> {
            try {
                store.verify(s);
                return true;
            } catch (IOException e) {
                return false;
            }
        }).toList();
    }

    private static RoundHeartbeat heartbeat(JobService jobs, String id) {
        List<JobService.PendingRound> rounds = jobs.pendingRounds(id);
        return rounds.isEmpty() ? null : rounds.getFirst().heartbeat();
    }

    private JobResult awaitEnd(LocalRunner runner, String id) throws Exception {
        await(id + " ended", () -> {
            JobStatus s = runner.syncRegistry(id).status();
            return s == JobStatus.COMPLETED || s == JobStatus.CANCELLED;
        });
        return runner.jobs().result(id);
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + LIMIT + " waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
