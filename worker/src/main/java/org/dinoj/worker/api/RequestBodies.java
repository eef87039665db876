package org.dinoj.worker.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/** The checks every JSON request body gets: valid JSON, one object, no duplicate or unknown field. */
final class RequestBodies {
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            // Text after the object (a second object, a stray character) would otherwise be dropped unread.
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private RequestBodies() {
    }

    /**
     * The body as a JSON object with only {@code fields}; every problem is a 400 in one sentence,
     * {@code example} showing what a right body looks like.
     */
    static JsonNode object(byte[] body, Set<String> fields, String example) {
        JsonNode root;
        try {
            root = STRICT.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("the request body is not valid JSON: " + problem(e));
        } catch (IOException e) {
            throw ApiException.badRequest("the request body cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw ApiException.badRequest("the request body must be a JSON object like " + example);
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!fields.contains(name)) {
                throw ApiException.badRequest("unknown field '" + name + "' in the request body; allowed: "
                        + String.join(", ", fields.stream().sorted().toList()));
            }
        }
        return root;
    }

    static String typeName(JsonNode n) {
        return n.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    /** Jackson's reason without its echo of the input ("[Source: (byte[])...]"), with where it is. */
    static String problem(JsonProcessingException e) {
        String reason = e.getOriginalMessage()
                .replaceAll("(?s)\\s*\\(start marker at \\[Source: .*?; line: \\d+, column: \\d+\\]\\)", "")
                .replaceAll("(?s)\\s*\\[Source: .*?; line: \\d+, column: \\d+\\]", "").strip();
        var where = e.getLocation();
        return where == null || where.getLineNr() < 1 ? reason
                : reason + " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")";
    }
}
