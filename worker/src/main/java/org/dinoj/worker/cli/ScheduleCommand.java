package org.dinoj.worker.cli;

import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.dinoj.model.config.ConfigLoader;
import org.dinoj.model.data.Datasets;
import org.dinoj.worker.jobs.JobSchedules;
import org.dinoj.worker.jobs.JobSpecs;
import org.dinoj.worker.temporal.SearchAttributeRegistration;
import org.dinoj.worker.temporal.WorkerBootstrap;
import org.dinoj.workflows.CheckpointRef;
import org.dinoj.workflows.JobSpec;
import org.dinoj.workflows.ScheduledJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dinoj schedule create|list|delete}: periodic retraining. */
@Command(name = "schedule", mixinStandardHelpOptions = true,
        description = "Periodic retraining: Temporal Schedules on a real cluster, a cron workflow on the embedded server.",
        subcommands = {ScheduleCommand.Create.class, ScheduleCommand.ListSchedules.class, ScheduleCommand.Delete.class})
public final class ScheduleCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    static class Target {
        @Option(names = "--temporal", defaultValue = "127.0.0.1:7233", paramLabel = "HOST:PORT",
                description = "Temporal frontend (default: ${DEFAULT-VALUE}).")
        String temporal;

        @Option(names = "--checkpoint-dir", defaultValue = "checkpoints", converter = CheckpointDirConverter.class,
                description = "Where scheduled jobs keep checkpoints and the registry (default: ${DEFAULT-VALUE}).")
        Path checkpointDir;

        <T> T withSchedules(java.util.function.Function<JobSchedules, T> action) {
            WorkflowServiceStubs stubs = WorkerBootstrap.connect(temporal);
            try {
                SearchAttributeRegistration.ensureRegistered(stubs, "default");
                JobSchedules schedules = new JobSchedules(stubs, WorkflowClient.newInstance(stubs), checkpointDir);
                return action.apply(schedules);
            } finally {
                stubs.shutdown();
            }
        }
    }

    @Command(name = "create", description = "Starts a job from the config at every firing of a cron expression (UTC).")
    static final class Create extends Target implements Callable<Integer> {
        @Option(names = "--id", required = true, description = "Schedule id; job ids are <id>-<yyyyMMdd-HHmm>.")
        String id;

        @Option(names = "--cron", required = true, description = "Cron expression, 5 fields, UTC, e.g. \"0 3 * * *\".")
        String cron;

        @Option(names = "--config", paramLabel = "PRESET|FILE.yaml", description = "Preset or YAML file (default with"
                + " --init-from: the config.yaml of that checkpoint).")
        String config;

        @Option(names = "--dataset", description = "Dataset spec for data.dataset, e.g. folder:/data/new.")
        String dataset;

        @Option(names = "--set", paramLabel = "key=value", description = "Dotted override (repeatable).")
        List<String> overrides = new ArrayList<>();

        @Option(names = "--time-budget", paramLabel = "MINUTES", description = "Each firing's job ends within this"
                + " many minutes: a worker times its machine at the job's start and sizes optim.epochs to fit.")
        Double timeBudgetMinutes;

        @Option(names = "--init-from", paramLabel = "DIR", description = "Each firing's job starts from the weights of this"
                + " checkpoint directory (fresh optimizer state and schedules), e.g. the model to keep adapting.")
        Path initFrom;

        @Override
        public Integer call() throws java.io.IOException {
            double budgetSeconds = TimeBudgetOption.seconds(timeBudgetMinutes, overrides);
            CheckpointRef base = initFrom == null ? null : InitFromOption.checkpoint(initFrom);
            String source;
            try {
                source = InitFromOption.configSource("schedule create", config, initFrom, System.out).orElseThrow(() ->
                        new IllegalArgumentException("schedule create needs --config, or --init-from a checkpoint that"
                                + " holds the config.yaml it was trained with"));
            } catch (IllegalArgumentException e) {
                System.err.println(e.getMessage());
                return 2;
            }
            List<String> all = new ArrayList<>(overrides);
            if (dataset != null) {
                all.add("data.dataset=\"" + dataset.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
            }
            Path root = checkpointDir.toAbsolutePath().normalize();
            // The configuration is resolved now: later edits of the file do not change the schedule.
            JobSpec template = JobSpecs.create(id, ConfigLoader.resolve(source, all), root.resolve(id), base,
                    budgetSeconds);
            return withSchedules(schedules -> {
                try {
                    ScheduledJob job = schedules.create(id, cron, template);
                    System.out.println("schedule " + id + " (" + cron + ", UTC) created with "
                            + schedules.mechanism().description() + "; each firing starts job "
                            + id + "-<yyyyMMdd-HHmm> with checkpoints under " + root);
                    System.out.println("template: " + job.template().configSummary() + (base == null ? ""
                            : "; from the weights of " + Path.of(java.net.URI.create(base.uri()))));
                    missingFolder(template.config()).ifPresent(folder -> System.out.println("note: " + folder
                            + " does not exist on this machine: each firing's job reads it on the worker that trains it,"
                            + " and retries while it is missing there (check the path if that worker is this machine)"));
                    return 0;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
    }

    /**
     * The image folder of {@code data.dataset} when this machine has no such folder. Not refused: the
     * workers may have a mount this machine lacks, but a typo would otherwise show only at the firings.
     */
    static Optional<Path> missingFolder(String config) {
        String spec = ConfigLoader.tree(config).path("data").path("dataset").asText("");
        try {
            return Datasets.folder(spec).filter(folder -> !Files.isDirectory(folder));
        } catch (RuntimeException e) {
            return Optional.empty(); // a malformed spec is the job's own sentence at its start
        }
    }

    @Command(name = "list", description = "Lists dinoj schedules.")
    static final class ListSchedules extends Target implements Callable<Integer> {
        @Override
        public Integer call() {
            return withSchedules(schedules -> {
                try {
                    System.out.println("mechanism: " + schedules.mechanism().description());
                    for (JobSchedules.Entry e : schedules.list()) {
                        System.out.printf("%-24s %-16s %s%s%n", e.scheduleId(), e.cron(), e.state(),
                                e.nextRuns().isEmpty() ? "" : ", next " + e.nextRuns().getFirst());
                    }
                    return 0;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
    }

    @Command(name = "delete", description = "Deletes a schedule; jobs it started keep running.")
    static final class Delete extends Target implements Callable<Integer> {
        @Parameters(paramLabel = "SCHEDULE-ID")
        String id;

        @Override
        public Integer call() {
            return withSchedules(schedules -> {
                try {
                    int stopped = schedules.delete(id);
                    System.out.println("schedule " + id + " deleted; jobs it started keep running" + (stopped == 0 ? ""
                            : "; stopped " + stopped + " firing(s) still waiting to start their job"));
                    return 0;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
    }
}
