package org.dinoj.worker.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The body of {@code POST /v1/jobs}, validated against the schema of {@code openapi.yaml}
 * (JobRequest): an object with only the fields below, each of its declared type.
 *
 * @param config a preset name, or the path of a YAML file inside a data root; null only with a base
 *     checkpoint, whose config.yaml is then the job's
 * @param dataset dataset spec for {@code data.dataset} ({@code folder:DIR}, {@code idx:DIR},
 *     {@code synthetic:N...}, {@code fashion-mnist}), or null to keep the config's
 * @param overrides dotted config keys to values (scalars or arrays of scalars), applied in key order
 * @param baseCheckpoint checkpoint directory (path or {@code file:} URI) whose weights a retraining starts from, or null
 * @param jobId the job's id, or null for a generated one
 * @param timeBudgetMinutes minutes the job should end within, from its start (a worker sizes
 *     {@code optim.epochs} to them before training), or null for the configuration's length
 */
public record JobRequest(String config, String dataset, Map<String, JsonNode> overrides, String baseCheckpoint,
                         String jobId, Double timeBudgetMinutes) {
    private static final Set<String> FIELDS = Set.of("config", "dataset", "overrides", "base_checkpoint", "job_id",
            "time_budget_minutes");
    /** A year: a longer budget is a typo, not a plan. */
    static final double MAX_BUDGET_MINUTES = 525_600;
    private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+");
    /** Override keys that would name files: paths come only through fields that are confined to the data roots. */
    private static final List<String> PATH_WORDS = List.of("dataset", "path", "dir", "file", "root");
    private static final int MAX_STRING = 4096;
    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    public JobRequest {
        overrides = overrides == null ? Map.of() : new TreeMap<>(overrides);
    }

    /** Parses and validates a request body; every problem is a 400 naming the field. */
    public static JobRequest parse(byte[] body) {
        JsonNode root = RequestBodies.object(body, FIELDS, "{\"config\": \"fashion-mnist\"}");
        String config = text(root, "config", false);
        String dataset = text(root, "dataset", false);
        String base = text(root, "base_checkpoint", false);
        if (config == null && base == null) {
            throw ApiException.badRequest("field 'config' is required (it may be left out only with base_checkpoint,"
                    + " whose config.yaml is then the job's configuration)");
        }
        String jobId = text(root, "job_id", false);
        Map<String, JsonNode> overrides = overrides(root.get("overrides"));
        Double budget = budgetMinutes(root.get("time_budget_minutes"));
        if (budget != null && overrides.containsKey("optim.epochs")) {
            throw ApiException.badRequest("time_budget_minutes chooses optim.epochs itself: drop the optim.epochs"
                    + " override or the time budget");
        }
        return new JobRequest(config, dataset, overrides, base, jobId, budget);
    }

    private static Double budgetMinutes(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber() || !(n.doubleValue() > 0) || n.doubleValue() > MAX_BUDGET_MINUTES) {
            throw ApiException.badRequest("field 'time_budget_minutes' must be a number of minutes above 0 and at most "
                    + (long) MAX_BUDGET_MINUTES + ", got " + (n.isNumber() ? n.asText() : RequestBodies.typeName(n)));
        }
        return n.doubleValue();
    }

    private static String text(JsonNode root, String field, boolean required) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw ApiException.badRequest("field '" + field + "' is required");
            }
            return null;
        }
        if (!n.isTextual()) {
            throw ApiException.badRequest("field '" + field + "' must be a string, got " + RequestBodies.typeName(n));
        }
        String s = n.textValue();
        if (s.isBlank() || s.length() > MAX_STRING || s.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("field '" + field + "' must be a non-empty string of at most " + MAX_STRING
                    + " characters without control characters");
        }
        return s;
    }

    /** The {@code overrides} field: dotted keys to scalars or arrays of scalars, none naming a path. */
    static Map<String, JsonNode> overrides(JsonNode n) {
        if (n == null || n.isNull()) {
            return Map.of();
        }
        if (!n.isObject()) {
            throw ApiException.badRequest("field 'overrides' must be an object of dotted keys to values, got " + RequestBodies.typeName(n));
        }
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            if (!KEY.matcher(key).matches()) {
                throw ApiException.badRequest("override key '" + key + "' must be dotted like optim.epochs");
            }
            String last = key.substring(key.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
            if (PATH_WORDS.stream().anyMatch(last::contains)) {
                throw ApiException.badRequest("override '" + key + "' would name a path; give the dataset in the"
                        + " 'dataset' field and files inside the data roots");
            }
            JsonNode v = e.getValue();
            boolean scalarArray = v.isArray() && allScalars(v);
            if (!isScalar(v) && !scalarArray) {
                throw ApiException.badRequest("override '" + key + "' must be a string, number, boolean or an array of"
                        + " those, got " + RequestBodies.typeName(v));
            }
            out.put(key, v);
        }
        return out;
    }

    private static boolean allScalars(JsonNode array) {
        for (JsonNode item : array) {
            if (!isScalar(item)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isScalar(JsonNode v) {
        return v.isTextual() || v.isNumber() || v.isBoolean();
    }


    /** The overrides as {@code key=value} lines for the config loader (values in JSON, which YAML reads). */
    public List<String> overrideLines() {
        return overrideLines(overrides);
    }

    static List<String> overrideLines(Map<String, JsonNode> overrides) {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : new TreeMap<>(overrides).entrySet()) {
            try {
                lines.add(e.getKey() + "=" + CANONICAL.writeValueAsString(e.getValue()));
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException("cannot write override " + e.getKey(), ex);
            }
        }
        return lines;
    }

    /** sha256 of the request in a canonical form: the same request retried gives the same value. */
    public String fingerprint() {
        Map<String, Object> canonical = new TreeMap<>();
        canonical.put("config", config);
        canonical.put("dataset", dataset);
        canonical.put("overrides", overrides);
        canonical.put("base_checkpoint", baseCheckpoint);
        canonical.put("job_id", jobId);
        if (timeBudgetMinutes != null) {
            // Only when given: requests without one keep the fingerprints stored before the field existed.
            canonical.put("time_budget_minutes", timeBudgetMinutes);
        }
        try {
            byte[] bytes = CANONICAL.writeValueAsString(canonical).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot fingerprint a job request", e);
        }
    }
}
