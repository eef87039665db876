package org.dinoj.worker.temporal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesResponse;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dinoj.workflows.DinojSearchAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers dinoj's custom search attributes on a real Temporal cluster, idempotently: attributes
 * already registered with the right type are left alone, missing ones are added in one call, and
 * one registered with another type is refused (a workflow upserting it would fail its tasks).
 * Called at start-up by every worker and client (WorkerBootstrap, LocalRunner). Temporal's Java
 * test server (the embedded default) cannot list search attributes; there all are added and
 * ALREADY_EXISTS is accepted.
 */
public final class SearchAttributeRegistration {
    private static final Logger log = LoggerFactory.getLogger(SearchAttributeRegistration.class);

    private SearchAttributeRegistration() {
    }

    /** Registers {@link DinojSearchAttributes#ALL}; returns the names it added (empty when all were there). */
    public static List<String> ensureRegistered(WorkflowServiceStubs service, String namespace) {
        return register(service, namespace, DinojSearchAttributes.ALL);
    }

    /** Registers {@code keys} in {@code namespace} through the OperatorService on the same connection as {@code service}. */
    public static List<String> register(WorkflowServiceStubs service, String namespace,
                                        Collection<SearchAttributeKey<?>> keys) {
        OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(OperatorServiceStubsOptions.newBuilder()
                .setChannel(service.getRawChannel())
                .validateAndBuildWithDefaults());
        try {
            return register(operator, namespace, keys);
        } finally {
            // The channel belongs to {@code service}; shutting down these stubs leaves it open.
            operator.shutdown();
        }
    }

    /** Registers {@code keys} in {@code namespace}; returns the names it added. */
    public static List<String> register(OperatorServiceStubs operator, String namespace,
                                        Collection<SearchAttributeKey<?>> keys) {
        ListSearchAttributesResponse registered = list(operator, namespace);
        boolean listed = registered != null;
        Map<String, IndexedValueType> missing = missing(listed ? registered
                : ListSearchAttributesResponse.getDefaultInstance(), namespace, keys);
        if (missing.isEmpty()) {
            log.debug("search attributes {} already registered in namespace {}", names(keys), namespace);
            return List.of();
        }
        try {
            operator.blockingStub().addSearchAttributes(AddSearchAttributesRequest.newBuilder()
                    .setNamespace(namespace)
                    .putAllSearchAttributes(missing)
                    .build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
                throw e;
            }
            if (!listed) {
                return List.of();
            }
            // Another process registered some of them between our list and add: check the result.
            Map<String, IndexedValueType> stillMissing = missing(list(operator, namespace), namespace, keys);
            if (!stillMissing.isEmpty()) {
                throw new IllegalStateException("registering search attributes " + stillMissing.keySet()
                        + " in namespace " + namespace + " raced with another registration and they are still missing;"
                        + " start dinoj again", e);
            }
            return List.of();
        }
        log.info("registered search attributes {} in namespace {}", missing, namespace);
        return List.copyOf(missing.keySet());
    }

    /** What the namespace has registered, or null where the server cannot list (the Java test server). */
    private static ListSearchAttributesResponse list(OperatorServiceStubs operator, String namespace) {
        try {
            return operator.blockingStub().listSearchAttributes(
                    ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                return null;
            }
            throw e;
        }
    }

    /** The keys not yet registered, by name; throws when one is registered with another type. */
    private static Map<String, IndexedValueType> missing(ListSearchAttributesResponse registered, String namespace,
                                                         Collection<SearchAttributeKey<?>> keys) {
        Map<String, IndexedValueType> missing = new LinkedHashMap<>();
        for (SearchAttributeKey<?> key : keys) {
            IndexedValueType wanted = key.getValueType();
            IndexedValueType existing = registered.getCustomAttributesMap().get(key.getName());
            if (existing == null) {
                existing = registered.getSystemAttributesMap().get(key.getName());
            }
            if (existing == null) {
                missing.put(key.getName(), wanted);
            } else if (existing != wanted) {
                throw new IllegalStateException("search attribute " + key.getName() + " is registered in namespace "
                        + namespace + " as " + typeName(existing) + " but dinoj needs " + typeName(wanted)
                        + "; remove it (temporal operator search-attribute remove --name " + key.getName()
                        + ") or use another namespace");
            }
        }
        return missing;
    }

    private static String typeName(IndexedValueType type) {
        return type.name().substring("INDEXED_VALUE_TYPE_".length());
    }

    private static List<String> names(Collection<SearchAttributeKey<?>> keys) {
        List<String> names = new ArrayList<>(keys.size());
        for (SearchAttributeKey<?> key : keys) {
            names.add(key.getName());
        }
        return names;
    }
}
