package org.dinoj.worker.cli;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.dinoj.worker.jobs.JobRecord;
import org.dinoj.worker.jobs.JobRegistry;
import org.dinoj.worker.jobs.JobService;
import org.dinoj.worker.temporal.WorkerBootstrap;
import org.dinoj.workflows.JobResult;
import org.dinoj.workflows.Progress;
import org.dinoj.workflows.RoundHeartbeat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dinoj jobs list|status|pause|resume|cancel|set-epochs|retry}. */
@Command(name = "jobs", mixinStandardHelpOptions = true, description = "Lists and controls pretraining jobs.",
        subcommands = {JobsCommand.ListJobs.class, JobsCommand.StatusOf.class, JobsCommand.Pause.class,
                JobsCommand.Resume.class, JobsCommand.Cancel.class, JobsCommand.SetEpochs.class, JobsCommand.Retry.class})
public final class JobsCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** Options shared by the subcommands. */
    static class Target {
        @Option(names = "--temporal", defaultValue = "127.0.0.1:7233", paramLabel = "HOST:PORT",
                description = "Temporal frontend (default: ${DEFAULT-VALUE}, where 'dinoj pretrain' puts its server).")
        String temporal;

        @Option(names = "--checkpoint-dir", defaultValue = "checkpoints", converter = CheckpointDirConverter.class, description = "Where the job registry is"
                + " (default: ${DEFAULT-VALUE}).")
        Path checkpointDir;

        /** What a subcommand does with the jobs; reading the registry may fail. */
        interface JobAction<T> {
            T apply(JobService jobs) throws java.io.IOException;
        }

        <T> T withJobs(JobAction<T> action) throws java.io.IOException {
            WorkflowServiceStubs stubs = WorkerBootstrap.connect(temporal);
            try {
                return action.apply(new JobService(WorkflowClient.newInstance(stubs), new JobRegistry(checkpointDir)));
            } finally {
                stubs.shutdown();
            }
        }
    }

    @Command(name = "list", description = "Jobs known to the registry (and, on a real cluster, to Temporal).")
    static final class ListJobs extends Target implements Callable<Integer> {
        static final int MAX_FOREIGN_JOBS = 100;

        @Override
        public Integer call() throws Exception {
            List<JobRecord> records = new JobRegistry(checkpointDir).list();
            if (records.isEmpty()) {
                // Said, not an empty table: a wrong --checkpoint-dir looks the same as no jobs otherwise.
                System.out.println("no jobs in the registry at " + checkpointDir.toAbsolutePath().normalize().resolve("registry")
                        + (Files.isDirectory(checkpointDir.resolve("registry")) ? "" : " (it does not exist: is --checkpoint-dir"
                        + " the one the jobs were started with?)"));
            }
            WorkflowServiceStubs stubs;
            try {
                stubs = WorkerBootstrap.connect(temporal);
            } catch (IllegalStateException e) {
                System.out.println("(no Temporal service at " + temporal + ": showing the registry only)");
                for (JobRecord r : records) {
                    System.out.printf("%-32s %-10s %s%n", r.jobId(), r.status().name().toLowerCase(), checkpoint(r));
                }
                return 0;
            }
            try {
                JobService jobs = new JobService(WorkflowClient.newInstance(stubs), new JobRegistry(checkpointDir));
                for (JobRecord r : records) {
                    String live;
                    try {
                        JobService.ServiceState state = jobs.serviceState(r.jobId());
                        if (!r.status().finished() && jobs.recordEnd(r.jobId(), state)) {
                            // Ended in Temporal since the registry last heard of it: recorded now, as the API's GET does.
                            r = jobs.registry().find(r.jobId()).orElseThrow();
                        }
                        live = state == JobService.ServiceState.RUNNING
                                ? jobs.progress(r.jobId()).summary() : "registry: " + r.status().name().toLowerCase();
                    } catch (RuntimeException e) {
                        live = "registry: " + r.status().name().toLowerCase() + " (Temporal: "
                                + JobService.queryFailureText(e) + ")";
                    }
                    System.out.printf("%-32s %s%n", r.jobId(), live);
                }
                listFromVisibility(stubs, jobs, records);
            } finally {
                stubs.shutdown();
            }
            return 0;
        }

        /**
         * Jobs the cluster knows but this registry does not, each once (its newest run, which SQL and
         * Elasticsearch visibility list first: a job that continued as new has closed runs after it),
         * the first {@link #MAX_FOREIGN_JOBS}; the embedded server has no visibility API.
         */
        private static void listFromVisibility(WorkflowServiceStubs stubs, JobService jobs, List<JobRecord> records) {
            Set<String> shown = new HashSet<>();
            records.forEach(r -> shown.add(r.jobId()));
            int foreign = 0;
            ByteString page = ByteString.EMPTY;
            try {
                do {
                    ListWorkflowExecutionsResponse r = stubs.blockingStub().listWorkflowExecutions(
                            ListWorkflowExecutionsRequest.newBuilder().setNamespace("default")
                                    .setQuery("WorkflowType = 'Pretrain'").setNextPageToken(page).build());
                    for (WorkflowExecutionInfo e : r.getExecutionsList()) {
                        String id = e.getExecution().getWorkflowId();
                        if (!shown.add(id)) {
                            continue;
                        }
                        if (++foreign > MAX_FOREIGN_JOBS) {
                            // Each line may ask the service for a result: years of nightly jobs would take long.
                            System.out.println("... and more, not listed here: temporal workflow list --query"
                                    + " \"WorkflowType='Pretrain'\"");
                            return;
                        }
                        System.out.printf("%-32s %s (not in this registry)%n", id, closedAs(jobs, e));
                    }
                    page = r.getNextPageToken();
                } while (!page.isEmpty());
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
                    throw e;
                }
            }
        }

        /**
         * How an execution stands. dinoj's own cancel ends a job's workflow as completed, at a
         * checkpoint; its result says cancelled.
         */
        private static String closedAs(JobService jobs, WorkflowExecutionInfo e) {
            String status = e.getStatus().name().replace("WORKFLOW_EXECUTION_STATUS_", "").toLowerCase();
            if (e.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
                return status;
            }
            try {
                return jobs.serviceState(e.getExecution().getWorkflowId()).name().toLowerCase();
            } catch (RuntimeException notAJobResult) {
                return status;
            }
        }

        private static String checkpoint(JobRecord r) {
            return r.latestCheckpoint() == null ? "" : checkpointStep(r);
        }
    }

    /** "step N" of the record's latest checkpoint, saying when that is a retraining's base rather than its own. */
    static String checkpointStep(JobRecord r) {
        return "step " + r.latestCheckpoint().step()
                + (r.latestCheckpoint().equals(r.spec().baseCheckpoint()) ? " (its base: none of its own yet)" : "");
    }

    @Command(name = "status", description = "Progress, running rounds and their last heartbeats.")
    static final class StatusOf extends Target implements Callable<Integer> {
        @Parameters(paramLabel = "JOB-ID")
        String jobId;

        @Override
        public Integer call() throws java.io.IOException {
            WorkflowServiceStubs stubs;
            try {
                stubs = WorkerBootstrap.connect(temporal);
            } catch (IllegalStateException e) {
                // As list does: an embedded server ends with its 'pretrain', and the registry still knows the job.
                Optional<JobRecord> record = new JobRegistry(checkpointDir).find(jobId);
                if (record.isEmpty()) {
                    throw e;
                }
                System.out.println("(no Temporal service at " + temporal + ": showing the registry only)");
                System.out.print(registryText(record.get()));
                return 0;
            }
            try {
                JobService jobs = new JobService(WorkflowClient.newInstance(stubs), new JobRegistry(checkpointDir));
                if (jobs.registry().find(jobId).isEmpty() && jobs.serviceState(jobId) == JobService.ServiceState.UNKNOWN) {
                    System.out.println("no job '" + jobId + "' on this Temporal service or in the registry at "
                            + checkpointDir.toAbsolutePath().normalize().resolve("registry"));
                    return 1;
                }
                System.out.print(statusText(jobs, jobId));
                return 0;
            } finally {
                stubs.shutdown();
            }
        }
    }

    /** A job as the registry alone records it: status, newest checkpoint and the last message. */
    static String registryText(JobRecord r) {
        StringBuilder s = new StringBuilder(r.jobId()).append(": registry: ").append(r.status().name().toLowerCase());
        if (r.latestCheckpoint() != null) {
            s.append(" at ").append(checkpointStep(r));
        }
        s.append(r.spec().configSummary() == null ? "\n" : " (" + r.spec().configSummary() + ")\n");
        if (r.latestCheckpoint() != null) {
            s.append("  latest checkpoint: ").append(r.latestCheckpoint().uri()).append('\n');
        }
        if (r.message() != null) {
            s.append("  ").append(r.message()).append('\n');
        }
        return s.toString();
    }

    /**
     * The workflow's progress moves at round ends; the running rounds' heartbeats know the step now,
     * so the summary line shows that step (and its completed epochs) rather than the round's start.
     */
    static Progress withLiveStep(Progress p, List<JobService.PendingRound> rounds) {
        long step = ProgressLine.liveStep(p, rounds);
        if (step == p.step() || p.epochs() == 0) {
            return p;
        }
        long epochLength = Math.max(1, p.totalSteps() / p.epochs());
        int epoch = (int) Math.min(p.epochs(), step / epochLength);
        // The workflow's estimate counts from the round's start: what the rounds have done since is not left.
        long eta = p.etaSeconds() < 0 || p.totalSteps() <= p.step() ? p.etaSeconds()
                : Math.round(p.etaSeconds() * (double) Math.max(0, p.totalSteps() - step) / (p.totalSteps() - p.step()));
        return new Progress(p.jobId(), p.status(), epoch, p.epochs(), step, p.totalSteps(), p.lastMetrics(),
                p.lastEval(), p.lastCheckpoint(), eta, p.refusedSteps(), p.schedule());
    }

    /** What {@code jobs status} prints. */
    static String statusText(JobService jobs, String jobId) throws java.io.IOException {
        JobService.ServiceState state = jobs.serviceState(jobId);
        if (state == JobService.ServiceState.COMPLETED || state == JobService.ServiceState.CANCELLED) {
            // A closed workflow answers queries only through a worker that replays it; its result needs none.
            return closedText(jobs.closed(jobId).result());
        }
        if (state == JobService.ServiceState.FAILED) {
            // A failed workflow answers no queries without a worker; the reason and the checkpoint on disk say enough.
            return failedText(jobId, jobs.failure(jobId), jobs.registry().find(jobId)
                    .flatMap(r -> JobService.newestCheckpoint(r.spec())).orElse(null));
        }
        StringBuilder s = new StringBuilder();
        Optional<JobRecord> record = jobs.registry().find(jobId);
        if (state == JobService.ServiceState.UNKNOWN) {
            return jobId + ": not on this Temporal service" + record.map(r -> "; registry: " + r.status().name().toLowerCase()
                    + (r.status().finished() ? "" : " ('dinoj pretrain --job-id " + jobId + "' runs it again)")).orElse("")
                    + "\n";
        }
        Progress p;
        try {
            p = jobs.progress(jobId);
        } catch (RuntimeException e) {
            return jobId + ": running in Temporal, but its progress query got no answer: " + JobService.queryFailureText(e)
                    + record.map(r -> "; registry: " + r.status().name().toLowerCase()).orElse("") + "\n";
        }
        List<JobService.PendingRound> rounds = jobs.pendingRounds(jobId);
        s.append(jobId).append(": ").append(withLiveStep(p, rounds).summary()).append('\n');
        if (p.schedule() != null) {
            s.append("  schedule: ").append(p.schedule()).append('\n');
            jobs.deadline(jobId).ifPresent(due -> s.append("  keeps to its time budget: due by ").append(due).append('\n'));
        }
        if (p.lastCheckpoint() != null) {
            boolean base = record.isPresent() && p.lastCheckpoint().equals(record.get().spec().baseCheckpoint());
            s.append(base ? "  base checkpoint (none of its own yet): step " : "  latest checkpoint: step ")
                    .append(p.lastCheckpoint().step()).append("  ").append(p.lastCheckpoint().uri()).append('\n');
        }
        for (JobService.PendingRound r : rounds) {
            s.append("  ").append(r.label() != null ? r.label() : "TrainRound " + r.activityId()).append(": ")
                    .append(r.state()).append(", attempt ")
                    .append(r.attempt());
            RoundHeartbeat hb = r.heartbeat();
            if (hb != null) {
                s.append(String.format(", step %d/%d, loss %.4f, %.1f img/s", hb.step(), hb.endStep(), hb.loss(),
                        hb.imagesPerSecond()));
                if (hb.lastCheckpoint() != null) {
                    s.append(", checkpoint step ").append(hb.lastCheckpoint().step());
                }
                if (hb.events() != null) {
                    s.append(String.format("%n    resumed from step %d (%s), %d refused steps, %d reopens, lr x%s",
                            hb.events().resumedFromStep(), hb.events().resumedFrom(), hb.events().refusedSteps(),
                            hb.events().reopens(), hb.events().learningRateScale()));
                    if (hb.events().lastEvent() != null) {
                        s.append("\n    last event: ").append(hb.events().lastEvent());
                    }
                }
            }
            if (r.lastFailure() != null) {
                s.append("\n    last failure: ").append(r.lastFailure());
            }
            s.append('\n');
        }
        return s.toString();
    }

    /** What {@code jobs status} prints for a failed job: why, and where {@code pretrain --retry} would continue it. */
    static String failedText(String jobId, String reason, org.dinoj.workflows.CheckpointRef newest) {
        StringBuilder s = new StringBuilder(jobId).append(": failed: ").append(reason).append('\n');
        if (newest != null) {
            s.append("  newest verified checkpoint: step ").append(newest.step()).append("  ").append(newest.uri())
                    .append('\n');
        }
        s.append("  'dinoj pretrain --job-id ").append(jobId).append(" --retry' starts it again from ")
                .append(newest != null ? "there" : "the start").append('\n');
        return s.toString();
    }

    /** What {@code jobs status} prints for a job whose workflow has ended. */
    static String closedText(JobResult r) {
        StringBuilder s = new StringBuilder(r.jobId()).append(": ").append(r.status().name().toLowerCase())
                .append(" at step ").append(r.step()).append('\n');
        if (r.lastMetrics() != null) {
            s.append(String.format("  last step: loss %.4f, lr %.3g, %.1f img/s%n", r.lastMetrics().loss(),
                    r.lastMetrics().learningRate(), r.lastMetrics().imagesPerSecond()));
        }
        if (r.lastEval() != null) {
            s.append(String.format("  last k-NN (epoch %d, k=%d): top-1 %.2f%%, top-5 %.2f%%%n", r.lastEval().epoch(),
                    r.lastEval().k(), r.lastEval().top1(), r.lastEval().top5()));
        }
        if (r.finalCheckpoint() != null) {
            s.append("  final checkpoint: step ").append(r.finalCheckpoint().step()).append("  ")
                    .append(r.finalCheckpoint().uri()).append('\n');
        }
        return s.toString();
    }

    @Command(name = "pause", description = "Pauses a job after a checkpoint.")
    static final class Pause extends Target implements Callable<Integer> {
        @Parameters(paramLabel = "JOB-ID")
        String jobId;

        @Override
        public Integer call() throws java.io.IOException {
            return withJobs(jobs -> {
                jobs.pause(jobId);
                System.out.println("pause requested for " + jobId + "; it checkpoints, then waits for 'dinoj jobs resume'");
                return 0;
            });
        }
    }

    @Command(name = "resume", description = "Resumes a paused job.")
    static final class Resume extends Target implements Callable<Integer> {
        @Parameters(paramLabel = "JOB-ID")
        String jobId;

        @Override
        public Integer call() throws java.io.IOException {
            return withJobs(jobs -> {
                jobs.resume(jobId);
                System.out.println("resumed " + jobId);
                return 0;
            });
        }
    }

    @Command(name = "cancel", description = "Cancels a job after a checkpoint.")
    static final class Cancel extends Target implements Callable<Integer> {
        @Parameters(paramLabel = "JOB-ID")
        String jobId;

        @Override
        public Integer call() throws java.io.IOException {
            return withJobs(jobs -> {
                jobs.cancel(jobId);
                System.out.println("cancel requested for " + jobId + "; it checkpoints and ends as cancelled");
                return 0;
            });
        }
    }

    @Command(name = "retry", description = "Starts a failed job again from its newest verified checkpoint, as a new run"
            + " of its workflow for the service's workers (with an embedded server: 'dinoj pretrain --job-id ID --retry').")
    static final class Retry extends Target implements Callable<Integer> {
        @Parameters(paramLabel = "JOB-ID")
        String jobId;

        @Option(names = "--set", paramLabel = "key=value",
                description = "A key of the optim, teacher or compute section, or data.max_bad_fraction, to change for the retry (repeatable).")
        List<String> overrides = new java.util.ArrayList<>();

        @Override
        public Integer call() throws java.io.IOException {
            return withJobs(jobs -> {
                org.dinoj.workflows.JobState from = jobs.retry(jobId, overrides);
                System.out.println("retrying " + jobId + " from " + (from.step() > 0 ? "step " + from.step() + "  "
                        + from.checkpoint().uri() : "the start") + (overrides.isEmpty() ? ""
                        : " with " + String.join(", ", overrides)));
                return 0;
            });
        }
    }

    @Command(name = "set-epochs", description = "Changes a running or paused job's length; its schedules stretch or"
            + " shrink from the next round on.")
    static final class SetEpochs extends Target implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "JOB-ID")
        String jobId;

        @Parameters(index = "1", paramLabel = "EPOCHS", description = "The job's new total number of epochs.")
        int epochs;

        @Override
        public Integer call() throws java.io.IOException {
            return withJobs(jobs -> {
                int applied = jobs.setEpochs(jobId, epochs);
                System.out.println(jobId + " now trains " + applied + " epochs; the next round follows the new"
                        + " schedules");
                jobs.lastRoundNote(jobId, applied).ifPresent(System.out::println);
                return 0;
            });
        }
    }
}
