package org.dinoj.worker.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;

/**
 * The optional body of {@code POST /v1/jobs/{id}/retry}, validated against the schema of
 * {@code openapi.yaml} (JobRetry): overrides of the failed job's configuration, as the
 * {@code overrides} of a new job (which keys a retry may change, the job service decides).
 */
record JobRetry(List<String> overrideLines) {
    private static final Set<String> FIELDS = Set.of("overrides");

    static final JobRetry NONE = new JobRetry(List.of());

    /** A body, or null for none: the job's configuration as it was. */
    static JobRetry parse(byte[] body) {
        if (body == null) {
            return NONE;
        }
        JsonNode root = RequestBodies.object(body, FIELDS, "{\"overrides\": {\"optim.base_lr\": 0.001}}");
        return new JobRetry(JobRequest.overrideLines(JobRequest.overrides(root.get("overrides"))));
    }
}
