package org.dinoj.worker.temporal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dinoj.workflows.DinojSearchAttributes;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real Temporal dev server as tests start it, and dinoj's search-attribute registration on it. */
@Tag(RealTemporalServer.TAG)
class RealTemporalServerTest {
    private static final List<String> DINOJ_NAMES =
            List.of("DinojJob", "DinojStatus", "DinojEpoch", "DinojStep", "DinojLoss", "DinojKnnTop1");

    @TempDir
    Path dataDir;

    @Test
    void registersDinojSearchAttributesOnceWithTheirTypes() {
        try (RealTemporalServer server = RealTemporalServer.start(dataDir)) {
            WorkflowServiceStubs stubs = server.newServiceStubs();
            try {
                assertThat(SearchAttributeRegistration.ensureRegistered(stubs, RealTemporalServer.NAMESPACE))
                        .containsExactlyElementsOf(DINOJ_NAMES);
                // Idempotent: a second worker starting up adds nothing and does not fail.
                assertThat(SearchAttributeRegistration.ensureRegistered(stubs, RealTemporalServer.NAMESPACE))
                        .isEmpty();

                assertThat(customAttributes(stubs)).containsAllEntriesOf(Map.of(
                        "DinojJob", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
                        "DinojStatus", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
                        "DinojEpoch", IndexedValueType.INDEXED_VALUE_TYPE_INT,
                        "DinojStep", IndexedValueType.INDEXED_VALUE_TYPE_INT,
                        "DinojLoss", IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
                        "DinojKnnTop1", IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE));

                // The same name with another type would make every upsert fail: refused with a way out.
                assertThatThrownBy(() -> SearchAttributeRegistration.register(stubs, RealTemporalServer.NAMESPACE,
                        List.<SearchAttributeKey<?>>of(SearchAttributeKey.forKeyword("DinojEpoch"))))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("DinojEpoch is registered in namespace default as INT")
                        .hasMessageContaining("dinoj needs KEYWORD");
            } finally {
                stubs.shutdownNow();
            }
        }
    }

    @Test
    void restartsOnTheSameDatabaseAndKeepsRegisteredAttributes() {
        try (RealTemporalServer server = RealTemporalServer.start(dataDir)) {
            WorkflowServiceStubs before = server.newServiceStubs();
            try {
                SearchAttributeRegistration.ensureRegistered(before, RealTemporalServer.NAMESPACE);
            } finally {
                before.shutdownNow();
            }
            server.kill();
            assertThat(server.isRunning()).isFalse();

            server.restart();
            assertThat(server.dbFile()).isRegularFile();
            WorkflowServiceStubs after = server.newServiceStubs();
            try {
                // Persisted in the SQLite file: nothing to add after the restart.
                assertThat(SearchAttributeRegistration.ensureRegistered(after, RealTemporalServer.NAMESPACE))
                        .isEmpty();
                assertThat(customAttributes(after)).containsKeys(DINOJ_NAMES.toArray(String[]::new));
            } finally {
                after.shutdownNow();
            }
        }
    }

    @Test
    void theDinojKeysAreTheOnesTheWorkflowUpserts() {
        // Guards DINOJ_NAMES above against drifting from the workflow's own list.
        assertThat(DinojSearchAttributes.ALL).extracting(SearchAttributeKey::getName)
                .containsExactlyElementsOf(DINOJ_NAMES);
    }

    private static Map<String, IndexedValueType> customAttributes(WorkflowServiceStubs stubs) {
        OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
                OperatorServiceStubsOptions.newBuilder().setChannel(stubs.getRawChannel()).validateAndBuildWithDefaults());
        try {
            return operator.blockingStub().listSearchAttributes(ListSearchAttributesRequest.newBuilder()
                    .setNamespace(RealTemporalServer.NAMESPACE).build()).getCustomAttributesMap();
        } finally {
            operator.shutdown();
        }
    }
}
