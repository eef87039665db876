package org.dinoj.tests.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dinoj.worker.temporal.RealTemporalServer;
import org.dinoj.worker.temporal.SearchAttributeRegistration;
import org.dinoj.workflows.ActivitySettings;
import org.dinoj.workflows.JobSpec;
import org.dinoj.workflows.PretrainWorkflow;
import org.dinoj.workflows.PretrainWorkflowImpl;
import org.dinoj.tests.RunsAlone;
import org.dinoj.workflows.SimulatedTraining;
import org.dinoj.workflows.TemporalUiText;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Temporal Web UI of the real dev server, looked at in headless Chromium as a person would while
 * a dinoj job trains: the workflow list with dinoj's search-attribute columns (added the way a user
 * adds them, through the table's column settings), and the job's page with the pending TrainRound
 * and its heartbeat. Screenshots go to target/ui/.
 */
@Tag(RealTemporalServer.TAG)
@Tag("ui")
@RunsAlone
class TemporalUiTest {
    private static final String QUEUE = "ui-training";
    private static final String JOB_ID = "pretrain-ui-check";
    private static final String JOB_NAME = "vit-tiny fashion-mnist (UI check)";
    private static final List<String> COLUMNS = List.of("DinojJob", "DinojStatus", "DinojEpoch", "DinojLoss", "DinojKnnTop1");
    private static final Path SCREENSHOTS = Path.of("target", "ui");
    private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(40);

    @TempDir
    Path dataDir;

    @Test
    void aRunningJobShowsInTheWorkflowListAndOnItsPage() throws Exception {
        HeadlessChromium.assumeInstalled();
        try (RealTemporalServer server = RealTemporalServer.start(dataDir.resolve("temporal"))) {
            WorkflowServiceStubs service = server.newServiceStubs();
            WorkerFactory factory = null;
            WorkflowClient client = null;
            try {
                SearchAttributeRegistration.ensureRegistered(service, RealTemporalServer.NAMESPACE);
                client = WorkflowClient.newInstance(service,
                        WorkflowClientOptions.newBuilder().setNamespace(RealTemporalServer.NAMESPACE).build());
                factory = WorkerFactory.newInstance(client);
                Worker worker = factory.newWorker(QUEUE);
                worker.registerWorkflowImplementationTypes(PretrainWorkflowImpl.class);
                SimulatedTraining training = new SimulatedTraining(20);
                worker.registerActivitiesImplementations(training);
                factory.start();

                PretrainWorkflow workflow = client.newWorkflowStub(PretrainWorkflow.class,
                        WorkflowOptions.newBuilder().setWorkflowId(JOB_ID).setTaskQueue(QUEUE)
                                // As JobService starts a job's workflow.
                                .setStaticSummary(TemporalUiText.summary(spec()))
                                .setStaticDetails(TemporalUiText.details(spec())).build());
                WorkflowExecution execution = WorkflowClient.start(workflow::run, spec(), null);
                // Epoch 1 runs quickly and is evaluated; then epoch 2 slows to a crawl so its round is
                // in flight, heartbeating, while we look.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (training.evaluations().isEmpty()) {
                    assertThat(System.nanoTime()).as("epoch 1 evaluated within 30 s").isLessThan(deadline);
                    Thread.sleep(10);
                }
                training.setMillisPerStep(3_000);
                awaitVisible(client, "DinojJob = '" + JOB_NAME + "' AND DinojKnnTop1 > 0 AND DinojEpoch = 1");

                try (HeadlessChromium browser = HeadlessChromium.launch(dataDir.resolve("chromium"), 1920, 1080)) {
                    checkWorkflowList(browser, server.uiUri());
                    checkWorkflowPage(browser, server.uiUri(), execution);
                }
            } finally {
                if (client != null) {
                    client.newUntypedWorkflowStub(JOB_ID).terminate("UI check done");
                }
                if (factory != null) {
                    factory.shutdownNow();
                    factory.awaitTermination(10, TimeUnit.SECONDS);
                }
                service.shutdownNow();
            }
        }
    }

    private static void checkWorkflowList(HeadlessChromium browser, URI ui) {
        browser.navigate(ui.resolve("/namespaces/default/workflows"));
        browser.awaitText(PAGE_TIMEOUT, JOB_ID);
        // As a user does once per browser: the gear of the table, then "add" for each attribute
        // (the UI keeps the choice in the browser's local storage).
        click(browser, "[data-testid=workflows-summary-table-configuration-button]");
        for (String column : COLUMNS) {
            click(browser, "[data-testid=\"orderable-list-item-" + column + "-add-button\"]");
        }
        click(browser, "[data-testid=\"orderable-list-item-Run ID-remove-button\"]");
        click(browser, "[data-testid=drawer-close-button]");
        // The drawer slides out over the table: the screenshot waits until it is gone.
        assertThat(browser.waitUntil("!document.querySelector('#workflows-table-configuration-drawer')"
                + " || document.querySelector('#workflows-table-configuration-drawer').getBoundingClientRect().width === 0",
                PAGE_TIMEOUT)).as("the column drawer closed").isTrue();
        Map<String, String> row = awaitRow(browser, JOB_ID);
        browser.screenshot(SCREENSHOTS.resolve("workflow-list.png"));

        assertThat(row).containsEntry("Status", "Running")
                .containsEntry("Workflow ID", JOB_ID)
                .containsEntry("Type", "Pretrain")
                .containsEntry("DinojJob", JOB_NAME)
                .containsEntry("DinojStatus", "RUNNING")
                .containsEntry("DinojEpoch", "1")
                // SimulatedTraining's k-NN top-1 is 50 + epoch.
                .containsEntry("DinojKnnTop1", "51");
        // The UI prints the double as it came; parsing it back must give the published loss exactly.
        // The workflow shows the loss to four decimals.
        assertThat(Double.parseDouble(row.get("DinojLoss"))).isEqualTo(Math.round(SimulatedTraining.lossAt(20) * 1e4) / 1e4);
    }

    private static void checkWorkflowPage(HeadlessChromium browser, URI ui, WorkflowExecution execution) {
        browser.navigate(ui.resolve("/namespaces/default/workflows/" + JOB_ID + "/" + execution.getRunId() + "/history"));
        // The event history names each activity by its summary: which round and shard, to which step.
        browser.awaitText(PAGE_TIMEOUT, JOB_ID, "Pending Activities", "train round 0, shard 0 (of 1): to step 20 of 60",
                "k-NN at epoch 1, step 20");
        browser.screenshot(SCREENSHOTS.resolve("workflow-history.png"));

        clickTab(browser, "Pending Activities");
        String pending = browser.awaitText(PAGE_TIMEOUT, "TrainRound", "Heartbeat Details", "\"endStep\": 40");
        browser.screenshot(SCREENSHOTS.resolve("workflow-pending-activities.png"));
        // The heartbeat of the round of epoch 2 (steps 20 to 40), as RoundHeartbeat's JSON.
        Matcher step = Pattern.compile("\"step\": (\\d+),").matcher(pending);
        assertThat(step.find()).as("heartbeat step in:%n%s", pending).isTrue();
        long heartbeatStep = Long.parseLong(step.group(1));
        assertThat(heartbeatStep).isBetween(21L, 40L);
        assertThat(pending).contains("\"loss\": " + SimulatedTraining.lossAt(heartbeatStep))
                .contains("\"uri\": \"file:///ckpt/" + JOB_ID + "/shard-0/step-");

        // Workflow.setCurrentDetails: the job's status line, rendered by the UI as markdown.
        clickTab(browser, "User Metadata");
        String metadata = browser.awaitText(PAGE_TIMEOUT, "Current Details", "running: epoch",
                "dinoj pretraining job " + JOB_ID, "file:///ckpt/" + JOB_ID, "dinoj jobs set-epochs " + JOB_ID);
        browser.screenshot(SCREENSHOTS.resolve("workflow-current-details.png"));
        assertThat(metadata).contains("loss 0.4762").contains("k-NN top-1 51.00%");
    }

    private static void click(HeadlessChromium browser, String selector) {
        String element = "document.querySelector(" + jsString(selector) + ")";
        assertThat(browser.waitUntil(element, PAGE_TIMEOUT)).as("the page has %s", selector).isTrue();
        browser.evaluate(element + ".click()");
    }

    /** Clicks the tab of the workflow page whose label starts with {@code label}. */
    private static void clickTab(HeadlessChromium browser, String label) {
        String find = "[...document.querySelectorAll('a, button, [role=tab]')].find(e => e.innerText.trim().startsWith("
                + jsString(label) + "))";
        assertThat(browser.waitUntil(find, PAGE_TIMEOUT)).as("the page has a tab %s", label).isTrue();
        browser.evaluate(find + ".click()");
    }

    /** The cells of the workflow table's row for {@code workflowId}, by column header. */
    private static Map<String, String> awaitRow(HeadlessChromium browser, String workflowId) {
        String script = """
                (() => {
                  const table = document.querySelector('table');
                  if (!table) return null;
                  const heads = [...table.querySelectorAll('thead th')].map(th => th.innerText.trim());
                  const row = [...table.querySelectorAll('tbody tr')].find(tr => tr.innerText.includes(%s));
                  if (!row) return null;
                  const cells = [...row.querySelectorAll('td')].map(td => td.innerText.trim());
                  if (cells.length !== heads.length) return {error: heads.length + ' headers, ' + cells.length + ' cells'};
                  const out = {};
                  heads.forEach((h, i) => { if (h) out[h] = cells[i]; });
                  return out;
                })()""".formatted(jsString(workflowId));
        long deadline = System.nanoTime() + PAGE_TIMEOUT.toNanos();
        JsonNode row = null;
        while (System.nanoTime() < deadline) {
            row = browser.evaluate(script);
            if (row.isObject() && row.has(COLUMNS.getLast())) {
                Map<String, String> cells = new LinkedHashMap<>();
                row.fields().forEachRemaining(e -> cells.put(e.getKey(), e.getValue().asText()));
                return cells;
            }
            sleep(250);
        }
        throw new AssertionError("the workflow list has no row for " + workflowId + " with the dinoj columns; last "
                + row + ", page:\n" + browser.visibleText());
    }

    private static String jsString(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** 1 shard, 3 epochs of 20 steps in one round each, k-NN every epoch, a checkpoint every 5 steps. */
    private static JobSpec spec() {
        ActivitySettings activities = new ActivitySettings(QUEUE, Duration.ofSeconds(30), Duration.ofMinutes(10), 3);
        return new JobSpec(JOB_ID, JOB_NAME, "model: tiny", "vit-tiny fashion-mnist", "file:///ckpt/" + JOB_ID, null,
                1, 3, 20, 20, 5, 1, 100, activities, 0);
    }

    private static void awaitVisible(WorkflowClient client, String query) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (client.listExecutions(query).findAny().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("visibility found nothing for " + query + " within 30 s");
            }
            Thread.sleep(100);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
