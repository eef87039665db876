package org.dinoj.worker.temporal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.dinoj.workflows.DinojSearchAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers {@link DinojSearchAttributes} with the Temporal service, idempotently: the workflow
 * upserts them, and a service that does not know them fails the workflow task.
 */
public final class SearchAttributeRegistration {
    private static final Logger log = LoggerFactory.getLogger(SearchAttributeRegistration.class);

    private SearchAttributeRegistration() {
    }

    public static void ensureRegistered(WorkflowServiceStubs service, String namespace) {
        OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(OperatorServiceStubsOptions.newBuilder()
                .setChannel(service.getRawChannel()).validateAndBuildWithDefaults());
        try {
            Set<String> existing = Set.of();
            try {
                existing = operator.blockingStub().listSearchAttributes(ListSearchAttributesRequest.newBuilder()
                        .setNamespace(namespace).build()).getCustomAttributesMap().keySet();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
                    throw e;
                }
            }
            Map<String, IndexedValueType> missing = new HashMap<>();
            for (SearchAttributeKey<?> key : DinojSearchAttributes.ALL) {
                if (!existing.contains(key.getName())) {
                    missing.put(key.getName(), key.getValueType());
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            try {
                operator.blockingStub().addSearchAttributes(AddSearchAttributesRequest.newBuilder()
                        .setNamespace(namespace).putAllSearchAttributes(missing).build());
                log.info("registered search attributes {}", missing.keySet());
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
                    throw e;
                }
            }
        } finally {
            operator.shutdown();
        }
    }
}
