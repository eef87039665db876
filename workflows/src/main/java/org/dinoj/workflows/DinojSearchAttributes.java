package org.dinoj.workflows;

import io.temporal.common.SearchAttributeKey;
import java.util.List;

/**
 * Custom search attributes that make dinoj jobs findable and sortable in the Temporal UI. A real
 * cluster must have them registered (dinoj does it at start-up); the test server registers them
 * per environment.
 */
public final class DinojSearchAttributes {
    public static final SearchAttributeKey<String> JOB = SearchAttributeKey.forKeyword("DinojJob");
    public static final SearchAttributeKey<String> STATUS = SearchAttributeKey.forKeyword("DinojStatus");
    public static final SearchAttributeKey<Long> EPOCH = SearchAttributeKey.forLong("DinojEpoch");
    public static final SearchAttributeKey<Long> STEP = SearchAttributeKey.forLong("DinojStep");
    public static final SearchAttributeKey<Double> LOSS = SearchAttributeKey.forDouble("DinojLoss");
    public static final SearchAttributeKey<Double> KNN_TOP1 = SearchAttributeKey.forDouble("DinojKnnTop1");

    public static final List<SearchAttributeKey<?>> ALL = List.of(JOB, STATUS, EPOCH, STEP, LOSS, KNN_TOP1);

    private DinojSearchAttributes() {
    }
}
