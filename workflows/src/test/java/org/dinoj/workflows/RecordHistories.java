package org.dinoj.workflows;

import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Records the histories that {@link PretrainWorkflowReplayTest} replays. Run it only when the
 * workflow's command order changes on purpose (behind Workflow.getVersion), keeping the old files:
 * {@code mvn -pl workflows test-compile exec:java} is not configured, so run the main from an IDE or
 * with the test class path.
 */
public final class RecordHistories {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "workflows/src/test/resources/histories");
        Files.createDirectories(dir);
        record(dir.resolve("pretrain-1shard-v1.json"), "replay-1shard", 1);
        record(dir.resolve("pretrain-2shards-v1.json"), "replay-2shards", 2);
    }

    private static void record(Path file, String id, int shards) throws Exception {
        try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
            for (var key : DinojSearchAttributes.ALL) {
                env.registerSearchAttribute(key.getName(), switch (key.getValueType()) {
                    case INDEXED_VALUE_TYPE_INT -> IndexedValueType.INDEXED_VALUE_TYPE_INT;
                    case INDEXED_VALUE_TYPE_DOUBLE -> IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE;
                    default -> IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
                });
            }
            Worker worker = env.newWorker("test-training");
            worker.registerWorkflowImplementationTypes(PretrainWorkflowImpl.class);
            worker.registerActivitiesImplementations(new SimulatedTraining(0));
            env.start();
            WorkflowClient client = env.getWorkflowClient();
            PretrainWorkflow workflow = client.newWorkflowStub(PretrainWorkflow.class,
                    WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue("test-training").build());
            workflow.run(PretrainWorkflowTest.spec(id, shards, 2, 6, 4, 100), null);
            Files.writeString(file, client.fetchHistory(id).toJson(true));
        }
    }

    private RecordHistories() {
    }
}
