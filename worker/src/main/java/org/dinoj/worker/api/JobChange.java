package org.dinoj.worker.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/**
 * The body of {@code PATCH /v1/jobs/{id}}, validated against the schema of {@code openapi.yaml}
 * (JobChange): the job's new total number of epochs.
 */
record JobChange(int epochs) {
    private static final Set<String> FIELDS = Set.of("epochs");
    /** As JobSpec's epochs times an epoch's steps must stay a long; far beyond any real job. */
    static final int MAX_EPOCHS = 1_000_000;

    static JobChange parse(byte[] body) {
        JsonNode root = RequestBodies.object(body, FIELDS, "{\"epochs\": 100}");
        JsonNode epochs = root.get("epochs");
        if (epochs == null || epochs.isNull()) {
            throw ApiException.badRequest("field 'epochs' is required");
        }
        if (!epochs.isIntegralNumber() || !epochs.canConvertToInt() || epochs.intValue() < 1
                || epochs.intValue() > MAX_EPOCHS) {
            throw ApiException.badRequest("field 'epochs' must be a whole number from 1 to " + MAX_EPOCHS + ", got "
                    + (epochs.isNumber() ? epochs.asText() : RequestBodies.typeName(epochs)));
        }
        return new JobChange(epochs.intValue());
    }
}
