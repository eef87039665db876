package org.dinoj.tests.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.dinoj.model.checkpoint.CheckpointStore;
import org.dinoj.model.train.DinoV2Session;
import org.dinoj.tests.CliOutput;
import org.dinoj.worker.cli.DinojCli;
import org.dinoj.worker.jobs.JobRecord;
import org.dinoj.worker.jobs.JobRegistry;
import org.dinoj.worker.jobs.JobSchedules;
import org.dinoj.worker.jobs.JobSpecs;
import org.dinoj.worker.jobs.LocalRunner;
import org.dinoj.worker.temporal.RealTemporalServer;
import org.dinoj.worker.temporal.WorkerBootstrap;
import org.dinoj.workflows.JobSpec;
import org.dinoj.workflows.ScheduledJob;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodic retraining against real servers: on the embedded server (no Schedules) a cron workflow,
 * on a real Temporal service a Temporal Schedule (DINOJ_TEST_TEMPORAL=host:port, else the dev server
 * that scripts/build-temporal-server.sh builds, started for the test). Each firing runs a toy job
 * through a real worker process and registers it beside the checkpoints.
 */
class ScheduledJobsTest {
    private static final Logger log = LoggerFactory.getLogger(ScheduledJobsTest.class);
    static final String REAL_SERVER_ENV = "DINOJ_TEST_TEMPORAL";

    @TempDir
    Path dir;

    private static final String CONFIG = "optim: {epochs: 1}\ntrain: {OFFICIAL_EPOCH_LENGTH: 10}\n"
            + "job: {steps_per_round: 10, checkpoint_every_steps: 5, eval_every_epochs: 0, heartbeat_timeout_seconds: 2}\n"
            + "toy: {dim: 2}\n";

    private LocalRunner runner(String temporal) throws IOException {
        return LocalRunner.start(new LocalRunner.Options(temporal, 0, 1, dir, List.of(DinojCli.class.getName(), "worker")),
                line -> log.info("supervisor: {}", line));
    }

    /** What every firing of schedule {@code id} starts from: the schedule workflow's input. */
    private static ScheduledJob firingTemplate(WorkflowClient client, String id) {
        var started = client.fetchHistory(JobSchedules.workflowId(id)).getHistory().getEvents(0)
                .getWorkflowExecutionStartedEventAttributes().getInput();
        return io.temporal.common.converter.DefaultDataConverter.newDefaultInstance()
                .fromPayloads(0, Optional.of(started), ScheduledJob.class, ScheduledJob.class);
    }

    private JobSpec template(String id) {
        return JobSpecs.create(id, CONFIG, dir.resolve(id), null);
    }

    @Test
    void onTheEmbeddedServerASchedulesIsACronWorkflowThatCanBeListedAndDeleted() throws Exception {
        try (LocalRunner runner = runner(null)) {
            WorkflowServiceStubs stubs = WorkerBootstrap.connect(runner.target());
            try {
                JobSchedules schedules = new JobSchedules(stubs, WorkflowClient.newInstance(stubs), dir);
                assertThat(schedules.mechanism()).isEqualTo(JobSchedules.Mechanism.CRON_WORKFLOW);

                schedules.create("nightly", "0 3 * * *", template("nightly"));
                var described = stubs.blockingStub().describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                        .setNamespace("default").setExecution(io.temporal.api.common.v1.WorkflowExecution.newBuilder()
                                .setWorkflowId(JobSchedules.workflowId("nightly"))).build());
                assertThat(described.getWorkflowExecutionInfo().getType().getName()).isEqualTo("ScheduledPretrain");
                assertThat(schedules.list()).singleElement().satisfies(e -> {
                    assertThat(e.scheduleId()).isEqualTo("nightly");
                    assertThat(e.cron()).isEqualTo("0 3 * * *");
                    assertThat(e.state()).isEqualTo("active");
                });
                assertThatThrownBy(() -> schedules.create("nightly", "0 4 * * *", template("nightly")))
                        .hasMessageContaining("schedule 'nightly' exists already");
                assertThatThrownBy(() -> schedules.create("bad", "every day", template("bad")))
                        .hasMessageContaining("must have 5 fields");

                schedules.delete("nightly");
                assertThat(schedules.list()).isEmpty();
                assertThatThrownBy(() -> schedules.delete("nightly")).hasMessageContaining("no schedule 'nightly'");
            } finally {
                stubs.shutdown();
            }
        }
    }

    @Test
    void scheduleCreateInitFromGivesEveryFiringsJobTheWeightsOfTheCheckpoint() throws Exception {
        // A verified checkpoint under another name, from before dinoj kept config.yaml in its checkpoints.
        Path weights = new CheckpointStore(dir.resolve("imports")).save(5, out ->
                Files.writeString(out.resolve("model.safetensors"), "weights")).directory();
        Path renamed = Files.move(weights, dir.resolve("imports/vits14"));
        Path config = Files.writeString(dir.resolve("toy.yaml"), CONFIG);
        try (LocalRunner runner = runner(null)) {
            CliOutput created = CliOutput.dinoj("schedule", "create", "--id", "adapt", "--cron", "0 3 * * *", "--config",
                    config.toString(), "--init-from", renamed.toString(), "--temporal", runner.target(),
                    "--checkpoint-dir", dir.toString());
            assertThat(created.code()).as(created.out()).isZero();
            assertThat(created.out()).contains("; from the weights of " + renamed + "\n");
            WorkflowServiceStubs stubs = WorkerBootstrap.connect(runner.target());
            try {
                WorkflowClient client = WorkflowClient.newInstance(stubs);
                ScheduledJob job = firingTemplate(client, "adapt");
                assertThat(job.template().baseCheckpoint().uri()).isEqualTo(renamed.toUri().toString());
                new JobSchedules(stubs, client, dir).delete("adapt");
            } finally {
                stubs.shutdown();
            }
        }
        CliOutput missing = CliOutput.dinoj("schedule", "create", "--id", "adapt2", "--cron", "0 3 * * *", "--config",
                config.toString(), "--init-from", dir.resolve("nothing").toString(), "--checkpoint-dir", dir.toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).startsWith("dinoj: --init-from " + dir.resolve("nothing") + " is not a checkpoint that"
                + " verifies: ");
        CliOutput noConfig = CliOutput.dinoj("schedule", "create", "--id", "adapt3", "--cron", "0 3 * * *",
                "--init-from", renamed.toString(), "--checkpoint-dir", dir.toString());
        assertThat(noConfig.code()).isEqualTo(2);
        assertThat(noConfig.err()).isEqualTo("schedule create needs --config: " + renamed + " holds no config.yaml (a"
                + " checkpoint written before dinoj kept one)\n");
    }

    @Test
    void scheduleCreateInitFromWithoutConfigRetrainsWithTheCheckpointsOwnConfiguration() throws Exception {
        // A checkpoint as a training session writes it: the weights and the configuration they were trained with.
        Path trained = new CheckpointStore(dir.resolve("trained")).save(7, out -> {
            Files.writeString(out.resolve("model.safetensors"), "weights");
            Files.writeString(out.resolve(DinoV2Session.CONFIG_FILE), CONFIG);
        }).directory();
        try (LocalRunner runner = runner(null)) {
            CliOutput created = CliOutput.dinoj("schedule", "create", "--id", "again", "--cron", "0 3 * * *",
                    "--init-from", trained.toString(), "--set", "optim.base_lr=0.001", "--temporal", runner.target(),
                    "--checkpoint-dir", dir.toString());
            assertThat(created.code()).as(created.out() + created.err()).isZero();
            assertThat(created.out()).startsWith("configuration: " + trained.resolve(DinoV2Session.CONFIG_FILE)
                    + " (the one its weights were trained with; --config replaces it)\n");
            WorkflowServiceStubs stubs = WorkerBootstrap.connect(runner.target());
            try {
                WorkflowClient client = WorkflowClient.newInstance(stubs);
                ScheduledJob job = firingTemplate(client, "again");
                // The checkpoint's 1 epoch of 10 steps, with the override on top.
                assertThat(job.template().epochs()).isEqualTo(1);
                assertThat(job.template().stepsPerEpoch()).isEqualTo(10);
                assertThat(job.template().config()).contains("base_lr: 0.001");
                assertThat(job.template().baseCheckpoint().uri()).isEqualTo(trained.toUri().toString());
                new JobSchedules(stubs, client, dir).delete("again");

                // --config still wins over the checkpoint's own configuration, without a word about it.
                Path other = Files.writeString(dir.resolve("other.yaml"), CONFIG.replace("epochs: 1", "epochs: 3"));
                CliOutput given = CliOutput.dinoj("schedule", "create", "--id", "given", "--cron", "0 3 * * *",
                        "--config", other.toString(), "--init-from", trained.toString(), "--temporal", runner.target(),
                        "--checkpoint-dir", dir.toString());
                assertThat(given.code()).as(given.out() + given.err()).isZero();
                assertThat(given.out()).doesNotContain("configuration:");
                assertThat(firingTemplate(client, "given").template().epochs()).isEqualTo(3);
                new JobSchedules(stubs, client, dir).delete("given");
            } finally {
                stubs.shutdown();
            }
        }
    }

    /** A real every-minute firing: up to a minute of waiting for it, then a 10-step toy job. */
    @Test
    @Tag("slow")
    void anEveryMinuteCronStartsAJobThatTrainsToTheEnd() throws Exception {
        try (LocalRunner runner = runner(null)) {
            WorkflowServiceStubs stubs = WorkerBootstrap.connect(runner.target());
            try {
                JobSchedules schedules = new JobSchedules(stubs, WorkflowClient.newInstance(stubs), dir);
                schedules.create("minutely", "* * * * *", template("minutely"));
                JobRecord job = awaitCompletedJob(runner, "minutely-", Duration.ofSeconds(150));
                assertThat(job.jobId()).matches("minutely-\\d{8}-\\d{4}");
                assertThat(job.spec().checkpointStore()).isEqualTo(dir.toUri() + job.jobId());
                schedules.delete("minutely");
            } finally {
                stubs.shutdown();
            }
        }
    }

    /**
     * On the service DINOJ_TEST_TEMPORAL names, else on the built dev server; skipped, saying why,
     * when there is neither.
     */
    @Test
    @Tag(RealTemporalServer.TAG)
    void onARealServerATemporalScheduleStartsJobs(@TempDir Path serverDir) throws Exception {
        String target = System.getenv(REAL_SERVER_ENV);
        if (target != null && !target.isBlank()) {
            schedulesStartJobs(target);
            return;
        }
        // Skips with the reason printed when the binary is not built.
        try (RealTemporalServer server = RealTemporalServer.start(serverDir)) {
            schedulesStartJobs(server.target());
        }
    }

    /** A firing that waits to register its job (no worker here) stops with its deleted schedule. */
    @Test
    @Tag(RealTemporalServer.TAG)
    void deletingATemporalScheduleStopsAFiringStillWaitingToStartItsJob(@TempDir Path serverDir) throws Exception {
        try (RealTemporalServer server = RealTemporalServer.start(serverDir)) {
            WorkflowServiceStubs stubs = WorkerBootstrap.connect(server.target());
            try {
                WorkflowClient client = WorkflowClient.newInstance(stubs);
                JobSchedules schedules = new JobSchedules(stubs, client, dir);
                schedules.create("waiting", "0 3 * * *", template("waiting"));
                // Another schedule whose id begins the same: its firing is not this one's.
                schedules.create("waiting-too", "0 3 * * *", template("waiting-too"));
                ScheduleClient.newInstance(stubs).getHandle("waiting").trigger();
                ScheduleClient.newInstance(stubs).getHandle("waiting-too").trigger();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (runningFirings(stubs).size() < 2 && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                assertThat(runningFirings(stubs)).hasSize(2);

                assertThat(schedules.delete("waiting")).isEqualTo(1);
                // Visibility follows the termination after a moment.
                long listed = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (runningFirings(stubs).size() > 1 && System.nanoTime() < listed) {
                    Thread.sleep(200);
                }
                assertThat(runningFirings(stubs)).singleElement().asString().startsWith("dinoj-schedule-waiting-too-");
                schedules.delete("waiting-too");
            } finally {
                stubs.shutdown();
            }
        }
    }

    private static List<String> runningFirings(WorkflowServiceStubs stubs) {
        return stubs.blockingStub().listWorkflowExecutions(
                io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest.newBuilder().setNamespace("default")
                        .setQuery("WorkflowType = 'ScheduledPretrain' AND ExecutionStatus = 'Running'").build())
                .getExecutionsList().stream().map(e -> e.getExecution().getWorkflowId()).toList();
    }

    private void schedulesStartJobs(String target) throws Exception {
        String id = "dinoj-test-" + System.currentTimeMillis();
        try (LocalRunner runner = runner(target)) {
            WorkflowServiceStubs stubs = WorkerBootstrap.connect(target);
            JobSchedules schedules = new JobSchedules(stubs, WorkflowClient.newInstance(stubs), dir);
            try {
                assertThat(schedules.mechanism()).isEqualTo(JobSchedules.Mechanism.TEMPORAL_SCHEDULES);
                schedules.create(id, "0 3 * * *", template(id));
                // The server lists schedules from its visibility store, which follows a create after a moment.
                long listed = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (schedules.list().stream().noneMatch(e -> e.scheduleId().equals(id)) && System.nanoTime() < listed) {
                    Thread.sleep(200);
                }
                assertThat(schedules.list()).anySatisfy(e -> {
                    assertThat(e.scheduleId()).isEqualTo(id);
                    // As written, not the calendars the server keeps it as.
                    assertThat(e.cron()).isEqualTo("0 3 * * *");
                    assertThat(e.nextRuns()).isNotEmpty();
                });
                // A firing that comes while the previous one still waits to register its job is not dropped.
                assertThat(ScheduleClient.newInstance(stubs).getHandle(id).describe().getSchedule().getPolicy().getOverlap())
                        .isEqualTo(io.temporal.api.enums.v1.ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL);
                assertThatThrownBy(() -> schedules.create(id + "-bad", "0 25 * * *", template(id + "-bad")))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("the Temporal service refuses schedule '" + id + "-bad' (")
                        .hasMessageEndingWith("): check the cron expression '0 25 * * *' (minute hour day-of-month month"
                                + " day-of-week, UTC)");
                // Valid, and never comes: refused, and not left on the server.
                assertThatThrownBy(() -> schedules.create(id + "-never", "0 3 31 2 *", template(id + "-never")))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("cron expression '0 3 31 2 *' never fires (the Temporal service finds no"
                                + " time it fires at)");
                assertThatThrownBy(() -> ScheduleClient.newInstance(stubs).getHandle(id + "-never").describe())
                        .isInstanceOf(io.temporal.client.schedules.ScheduleException.class);
                assertThatThrownBy(() -> schedules.delete(id + "-none")).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("no schedule '" + id + "-none' on this Temporal service");
                // Fire now instead of waiting for 03:00.
                ScheduleClient.newInstance(stubs).getHandle(id).trigger();
                JobRecord job = awaitCompletedJob(runner, id + "-", Duration.ofSeconds(120));
                assertThat(job.jobId()).matches(java.util.regex.Pattern.quote(id) + "-\\d{8}-\\d{4}");
            } finally {
                schedules.delete(id);
                stubs.shutdown();
            }
        }
    }

    private JobRecord awaitCompletedJob(LocalRunner runner, String prefix, Duration limit) throws Exception {
        JobRegistry registry = new JobRegistry(dir);
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<JobRecord> job = registry.list().stream().filter(r -> r.jobId().startsWith(prefix)).findFirst();
            if (job.isPresent() && runner.jobs().serviceState(job.get().jobId()) != org.dinoj.worker.jobs.JobService
                    .ServiceState.UNKNOWN) {
                runner.syncRegistry(job.get().jobId());
                JobRecord now = registry.find(job.get().jobId()).orElseThrow();
                if (now.status() == JobRecord.RegistryStatus.COMPLETED) {
                    return now;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no completed job " + prefix + "* within " + limit + "; registry: " + registry.list());
    }
}
