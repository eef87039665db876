package org.dinoj.worker.jobs;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.api.workflowservice.v1.ListSchedulesRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleException;
import io.temporal.client.schedules.ScheduleHandle;
import io.temporal.client.schedules.ScheduleListDescription;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.dinoj.worker.temporal.TemporalErrors;
import org.dinoj.workflows.JobSpec;
import org.dinoj.workflows.ScheduledJob;
import org.dinoj.workflows.ScheduledPretrainWorkflow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodic retraining. Each firing runs {@link ScheduledPretrainWorkflow}, which starts a new job
 * from the schedule's template. Two mechanisms, chosen by what the service offers:
 * <ul>
 *   <li>{@link Mechanism#TEMPORAL_SCHEDULES} on a real cluster: a Temporal Schedule (visible,
 *       pausable and back-fillable in the Web UI and the temporal CLI);</li>
 *   <li>{@link Mechanism#CRON_WORKFLOW} on the embedded test server, which answers UNIMPLEMENTED to
 *       the Schedule API: a cron workflow, listed from a small record beside the job registry.</li>
 * </ul>
 */
public final class JobSchedules {
    private static final Logger log = LoggerFactory.getLogger(JobSchedules.class);
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .enable(SerializationFeature.INDENT_OUTPUT).disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    public enum Mechanism {
        TEMPORAL_SCHEDULES("Temporal Schedules"),
        CRON_WORKFLOW("a cron workflow (this Temporal service has no Schedules)");

        private final String description;

        Mechanism(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /** A schedule as listed: its id, cron expression, mechanism and the next firings where known. */
    public record Entry(String scheduleId, String cron, Mechanism mechanism, String state, List<Instant> nextRuns) {
    }

    /** What {@code create} records for a cron-workflow schedule (the service cannot list them). */
    record CronRecord(String scheduleId, String cron, String workflowId, Instant createdAt) {
    }

    /** Memo key of a Temporal Schedule that holds its cron expression as the user wrote it. */
    private static final String CRON_MEMO = "cron";

    private final WorkflowServiceStubs service;
    private final WorkflowClient client;
    private final Path checkpointRoot;
    private final Mechanism mechanism;

    public JobSchedules(WorkflowServiceStubs service, WorkflowClient client, Path checkpointRoot) {
        this.service = service;
        this.client = client;
        this.checkpointRoot = checkpointRoot.toAbsolutePath().normalize();
        this.mechanism = detect(service, client.getOptions().getNamespace());
    }

    /** Asks the service for its schedules: the Java test server answers UNIMPLEMENTED. */
    public static Mechanism detect(WorkflowServiceStubs service, String namespace) {
        try {
            service.blockingStub().listSchedules(ListSchedulesRequest.newBuilder().setNamespace(namespace)
                    .setMaximumPageSize(1).build());
            return Mechanism.TEMPORAL_SCHEDULES;
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                return Mechanism.CRON_WORKFLOW;
            }
            throw e;
        }
    }

    public Mechanism mechanism() {
        return mechanism;
    }

    /** Workflow id of the scheduler workflow (a Schedule appends the firing time to it). */
    public static String workflowId(String scheduleId) {
        return "dinoj-schedule-" + scheduleId;
    }

    /**
     * Creates schedule {@code scheduleId}: at every firing of {@code cron} (5 fields, UTC) a job
     * from {@code template} starts, with id {@code <scheduleId>-<yyyyMMdd-HHmm>} and its checkpoints
     * under this checkpoint directory.
     */
    public ScheduledJob create(String scheduleId, String cron, JobSpec template) throws IOException {
        if (cron == null || cron.isBlank() || cron.trim().split("\\s+").length != 5) {
            throw new IllegalArgumentException("cron expression '" + cron + "' must have 5 fields (minute hour"
                    + " day-of-month month day-of-week), e.g. \"0 3 * * *\" for 03:00 UTC every day");
        }
        ScheduledJob job = new ScheduledJob(scheduleId, template, checkpointRoot.toUri().toString());
        WorkflowOptions.Builder options = WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId(scheduleId))
                .setTaskQueue(template.activities().taskQueue());
        if (mechanism == Mechanism.TEMPORAL_SCHEDULES) {
            Schedule schedule = Schedule.newBuilder()
                    .setAction(ScheduleActionStartWorkflow.newBuilder()
                            .setWorkflowType(ScheduledPretrainWorkflow.class)
                            .setArguments(job)
                            .setOptions(options.build())
                            .build())
                    .setSpec(ScheduleSpec.newBuilder().setCronExpressions(List.of(cron.trim())).build())
                    // Every firing starts its job. The scheduler workflow ends once it has started the job, but it
                    // registers the job first, on a worker that may be training: Temporal's default (skip a
                    // firing while the previous one runs) would drop the firings that come meanwhile.
                    .setPolicy(SchedulePolicy.newBuilder()
                            .setOverlap(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL).build())
                    .build();
            try {
                // The server keeps a cron expression as calendars: the memo keeps it as written, for list.
                ScheduleHandle created = ScheduleClient.newInstance(service).createSchedule(scheduleId, schedule,
                        ScheduleOptions.newBuilder().setMemo(Map.of(CRON_MEMO, cron.trim())).build());
                // The server's reading of the cron decides: '0 3 31 2 *' is valid and never comes.
                RuntimeException refused;
                try {
                    if (!created.describe().getInfo().getNextActionTimes().isEmpty()) {
                        refused = null;
                    } else {
                        refused = new IllegalArgumentException(neverFires(cron, "the Temporal service finds no time it fires at"));
                    }
                } catch (RuntimeException e) {
                    refused = e; // not known to fire: not left behind to say 'exists already' on the next try
                }
                if (refused != null) {
                    try {
                        created.delete();
                    } catch (RuntimeException e) {
                        refused.addSuppressed(e);
                    }
                    throw refused;
                }
            } catch (ScheduleAlreadyRunningException e) {
                throw new IllegalArgumentException("schedule '" + scheduleId + "' exists already; delete it first or"
                        + " choose another id", e);
            } catch (ScheduleException e) {
                Optional<StatusRuntimeException> grpc = grpcCause(e, Status.Code.INVALID_ARGUMENT);
                if (grpc.isPresent()) {
                    throw new IllegalArgumentException("the Temporal service refuses schedule '" + scheduleId + "' ("
                            + grpc.get().getStatus().getDescription() + "): check the cron expression '" + cron.trim()
                            + "' (minute hour day-of-month month day-of-week, UTC)", e);
                }
                throw e;
            }
        } else {
            checkFiresOnTheEmbeddedServer(cron.trim());
            if (readCronRecord(scheduleId).isPresent() && isRunning(workflowId(scheduleId))) {
                throw new IllegalArgumentException("schedule '" + scheduleId + "' exists already; delete it first or"
                        + " choose another id");
            }
            options.setCronSchedule(cron.trim())
                    .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
                    .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE);
            ScheduledPretrainWorkflow scheduler = client.newWorkflowStub(ScheduledPretrainWorkflow.class, options.build());
            try {
                WorkflowClient.start(scheduler::run, job);
            } catch (WorkflowExecutionAlreadyStarted e) {
                throw new IllegalArgumentException("schedule '" + scheduleId + "' exists already; delete it first or"
                        + " choose another id", e);
            }
            writeCronRecord(new CronRecord(scheduleId, cron.trim(), workflowId(scheduleId), Instant.now()));
        }
        log.info("schedule {} ({}) created with {}", scheduleId, cron, mechanism.description());
        return job;
    }

    private static String neverFires(String cron, String why) {
        return "cron expression '" + cron.trim() + "' never fires (" + why + "): a day-of-month that the month"
                + " does not have, such as '0 3 31 2 *'? (minute hour day-of-month month day-of-week, UTC)";
    }

    /**
     * Refuses, with the sentence why, a cron that the embedded server's cron workflows cannot read or
     * that never comes: that server reads crons with cron-utils (UNIX), and fails inside itself (no
     * next time to wait for) on one that never comes.
     */
    static void checkFiresOnTheEmbeddedServer(String cron) {
        Cron parsed;
        try {
            parsed = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX)).parse(cron);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cron expression '" + cron + "' is not valid: " + e.getMessage()
                    + " (minute hour day-of-month month day-of-week, UTC)", e);
        }
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        if (ExecutionTime.forCron(parsed).nextExecution(now).isEmpty()) {
            throw new IllegalArgumentException(neverFires(cron, "no time after " + now.withNano(0).toInstant() + " matches it"));
        }
    }

    public List<Entry> list() throws IOException {
        if (mechanism == Mechanism.TEMPORAL_SCHEDULES) {
            try (var schedules = ScheduleClient.newInstance(service).listSchedules()) {
                return schedules.filter(JobSchedules::isDinojSchedule).map(JobSchedules::entry).toList();
            }
        }
        List<Entry> entries = new ArrayList<>();
        for (CronRecord r : cronRecords()) {
            entries.add(new Entry(r.scheduleId(), r.cron(), mechanism, isRunning(r.workflowId()) ? "active"
                    : "stopped (its cron workflow is not running; an embedded server restart loses it: create it again)",
                    List.of()));
        }
        return entries;
    }

    /**
     * Stops future firings, and the firings still waiting to start their job (to register it, a worker
     * must be free: one that cannot write the registry waits for ever); jobs already started keep running.
     *
     * @return how many waiting firings were stopped
     */
    public int delete(String scheduleId) throws IOException {
        if (mechanism == Mechanism.TEMPORAL_SCHEDULES) {
            try {
                ScheduleClient.newInstance(service).getHandle(scheduleId).delete();
            } catch (ScheduleException | StatusRuntimeException e) {
                if (grpcCause(e, Status.Code.NOT_FOUND).isPresent()) {
                    throw new IllegalArgumentException("no schedule '" + scheduleId + "' on this Temporal service", e);
                }
                throw e;
            }
            return stopWaitingFirings(scheduleId);
        }
        Optional<CronRecord> record = readCronRecord(scheduleId);
        if (record.isEmpty()) {
            throw new IllegalArgumentException("no schedule '" + scheduleId + "' in " + schedulesDirectory());
        }
        if (isRunning(record.get().workflowId())) {
            // Terminating a cron workflow ends its chain of runs, a waiting firing with it; its jobs are separate workflows.
            client.newUntypedWorkflowStub(record.get().workflowId()).terminate("schedule deleted");
        }
        Files.deleteIfExists(cronRecordFile(scheduleId));
        return 0;
    }

    /**
     * Terminates the running firings of a deleted Temporal Schedule: the workflows its action started,
     * named {@code dinoj-schedule-<id>-<time of the firing>}. Visibility lags a moment behind, so a
     * firing started within it may be missed: it then starts its job.
     */
    private int stopWaitingFirings(String scheduleId) {
        Pattern firing = Pattern.compile(Pattern.quote(workflowId(scheduleId) + "-") + "\\d{4}-\\d{2}-\\d{2}T.*");
        if (!scheduleId.matches("[A-Za-z0-9._-]+")) {
            return 0; // not one dinoj made (its ids are checked like job ids): no quotes to escape in the query
        }
        String query = "WorkflowType = 'ScheduledPretrain' AND ExecutionStatus = 'Running' AND TemporalScheduledById = '"
                + scheduleId + "'";
        int stopped = 0;
        com.google.protobuf.ByteString page = com.google.protobuf.ByteString.EMPTY;
        do {
            ListWorkflowExecutionsResponse running = service.blockingStub().listWorkflowExecutions(
                    ListWorkflowExecutionsRequest.newBuilder().setNamespace(client.getOptions().getNamespace())
                            .setQuery(query).setNextPageToken(page).build());
            for (var execution : running.getExecutionsList()) {
                String id = execution.getExecution().getWorkflowId();
                if (!firing.matcher(id).matches()) {
                    continue;
                }
                try {
                    client.newUntypedWorkflowStub(id, Optional.of(execution.getExecution().getRunId()), Optional.empty())
                            .terminate("schedule " + scheduleId + " deleted before this firing started its job");
                    log.info("schedule {} deleted: stopped its firing {}, which had not started its job", scheduleId, id);
                    stopped++;
                } catch (RuntimeException e) {
                    // It ended meanwhile (its job started): nothing to stop.
                    log.info("schedule {}: firing {} had ended: {}", scheduleId, id, e.getMessage());
                }
            }
            page = running.getNextPageToken();
        } while (!page.isEmpty());
        return stopped;
    }

    private static boolean isDinojSchedule(ScheduleListDescription d) {
        return d.getSchedule().getAction() instanceof io.temporal.client.schedules.ScheduleListActionStartWorkflow a
                && "ScheduledPretrain".equals(a.getWorkflow());
    }

    private static Entry entry(ScheduleListDescription d) {
        ScheduleSpec spec = d.getSchedule().getSpec();
        Object written = d.getMemo(CRON_MEMO, String.class); // declared Object by the SDK
        String cron = written instanceof String s ? s
                : spec.getCronExpressions() == null || spec.getCronExpressions().isEmpty()
                ? String.valueOf(spec) : String.join("; ", spec.getCronExpressions());
        boolean paused = d.getSchedule().getState().isPaused();
        // A paused schedule fires at none of the times its spec still lists.
        return new Entry(d.getScheduleId(), cron, Mechanism.TEMPORAL_SCHEDULES, paused ? "paused" : "active",
                paused ? List.of() : d.getInfo().getNextActionTimes());
    }

    /** The gRPC failure with {@code code} that {@code e} wraps (the schedule client's ScheduleException does). */
    private static Optional<StatusRuntimeException> grpcCause(Throwable e, Status.Code code) {
        return TemporalErrors.grpcCause(e).filter(g -> g.getStatus().getCode() == code);
    }

    private boolean isRunning(String workflowId) {
        try {
            DescribeWorkflowExecutionResponse r = service.blockingStub().describeWorkflowExecution(
                    io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest.newBuilder()
                            .setNamespace(client.getOptions().getNamespace())
                            .setExecution(io.temporal.api.common.v1.WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                            .build());
            return r.getWorkflowExecutionInfo().getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    private Path schedulesDirectory() {
        return checkpointRoot.resolve("registry").resolve("schedules");
    }

    private Path cronRecordFile(String scheduleId) {
        return schedulesDirectory().resolve(scheduleId + ".json");
    }

    private Optional<CronRecord> readCronRecord(String scheduleId) throws IOException {
        Path f = cronRecordFile(scheduleId);
        return Files.exists(f) ? Optional.of(JSON.readValue(f.toFile(), CronRecord.class)) : Optional.empty();
    }

    private List<CronRecord> cronRecords() throws IOException {
        List<CronRecord> records = new ArrayList<>();
        if (!Files.isDirectory(schedulesDirectory())) {
            return records;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(schedulesDirectory(), "*.json")) {
            for (Path f : files) {
                records.add(JSON.readValue(f.toFile(), CronRecord.class));
            }
        }
        return records.stream().sorted(java.util.Comparator.comparing(CronRecord::scheduleId))
                .collect(Collectors.toList());
    }

    private void writeCronRecord(CronRecord record) throws IOException {
        Files.createDirectories(schedulesDirectory());
        Path temp = Files.createTempFile(schedulesDirectory(), ".tmp-", ".json");
        try {
            JSON.writeValue(temp.toFile(), record);
            Files.move(temp, cronRecordFile(record.scheduleId()), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
