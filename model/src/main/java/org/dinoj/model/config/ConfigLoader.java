package org.dinoj.model.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads configurations as layered YAML: a preset (a resource {@code /configs/NAME.yaml}) or a file,
 * then dotted {@code key=value} overrides, bound to a record type whose components use the dinov2
 * key names in snake_case ({@code optim.base_lr}). Unknown keys and wrong types are one sentence
 * naming the key.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            // A key given twice in a file: the first would be lost without a word.
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature()))
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

    private ConfigLoader() {
    }

    /**
     * Loads {@code source} (a preset name or a path to a YAML file) over {@code defaults}, applies
     * {@code overrides} ({@code dotted.key=value}, values in YAML syntax) in order, and binds the
     * result to the type of {@code defaults}.
     */
    public static <T> T load(String source, List<String> overrides, T defaults) {
        ObjectNode tree = withDefaults(defaults, readSource(source));
        for (String override : overrides) {
            applyOverride(tree, override);
        }
        return bind(tree, typeOf(defaults), source);
    }

    /**
     * The YAML text of {@code source} (a preset name or a YAML file; null for none) with
     * {@code overrides} applied, not bound to any type: for a configuration whose record type the
     * caller does not know (a job spec stores the text; each consumer binds its own sections).
     */
    public static String resolve(String source, List<String> overrides) {
        return withOverridesWritten(source == null ? JsonNodeFactory.instance.objectNode() : readSource(source), overrides);
    }

    /** A configuration's YAML text (as stored in a job spec) with {@code overrides} applied, still unbound. */
    public static String withOverrides(String yaml, List<String> overrides) {
        return withOverridesWritten(readTree(yaml, "the job's configuration"), overrides);
    }

    private static String withOverridesWritten(ObjectNode tree, List<String> overrides) {
        for (String override : overrides) {
            applyOverride(tree, override);
        }
        try {
            return YAML.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write configuration " + tree, e);
        }
    }

    /** Binds a YAML text (as stored in a job spec) over {@code defaults}, without overrides. */
    public static <T> T parse(String yaml, T defaults) {
        String where = "the job's configuration";
        return bind(withDefaults(defaults, readTree(yaml, where)), typeOf(defaults), where);
    }

    @SuppressWarnings("unchecked")
    private static <T> Class<T> typeOf(T defaults) {
        return (Class<T>) defaults.getClass();
    }

    /** Every key of {@code defaults}, overlaid with what the user wrote (sections merged key by key). */
    private static ObjectNode withDefaults(Object defaults, ObjectNode user) {
        ObjectNode base = YAML.valueToTree(defaults);
        merge(base, user);
        return base;
    }

    private static void merge(ObjectNode base, ObjectNode overlay) {
        for (Iterator<Map.Entry<String, JsonNode>> it = overlay.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode existing = base.get(e.getKey());
            if (existing instanceof ObjectNode section && e.getValue() instanceof ObjectNode values) {
                merge(section, values);
            } else {
                base.set(e.getKey(), e.getValue());
            }
        }
    }

    /** The configuration as YAML text, with every key present (defaults included). */
    public static String toYaml(Object config) {
        try {
            return YAML.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write configuration " + config, e);
        }
    }

    static ObjectNode readSource(String source) {
        String resource = "/configs/" + source + ".yaml";
        try (InputStream preset = ConfigLoader.class.getResourceAsStream(resource)) {
            if (preset != null) {
                return readTree(new String(preset.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), "preset " + source);
            }
        } catch (IOException e) {
            throw new ConfigException("cannot read preset " + source + ": " + e.getMessage(), e);
        }
        Path file = Path.of(source);
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("config '" + source + "' is neither a preset (" + String.join(", ", presets())
                    + ") nor a readable YAML file");
        }
        try {
            return readTree(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Names of the presets shipped with dinoj (resources under /configs). */
    public static List<String> presets() {
        return PRESETS;
    }

    private static final List<String> PRESETS = List.of("fashion-mnist", "vits14", "tiny-test");

    /** A resolved configuration's text as a tree, unbound: for checks of keys whatever the record type. */
    public static JsonNode tree(String yaml) {
        return readTree(yaml, "the configuration");
    }

    private static ObjectNode readTree(String yaml, String where) {
        try {
            JsonNode node = YAML.readTree(yaml);
            if (node == null || node.isMissingNode() || node.isNull()) {
                return JsonNodeFactory.instance.objectNode();
            }
            if (!node.isObject()) {
                throw new ConfigException(where + " must be a YAML mapping of sections (crops:, optim:, ...)");
            }
            return (ObjectNode) node;
        } catch (JsonProcessingException e) {
            throw new ConfigException(where + " is not valid YAML: " + e.getOriginalMessage(), e);
        }
    }

    static void applyOverride(ObjectNode tree, String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("override '" + override + "' must look like section.key=value");
        }
        String key = override.substring(0, eq).trim();
        String text = override.substring(eq + 1).trim();
        JsonNode value;
        try {
            value = text.isEmpty() ? JsonNodeFactory.instance.textNode("") : YAML.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException("override " + key + ": value '" + text + "' is not valid YAML", e);
        }
        String[] path = key.split("\\.");
        ObjectNode node = tree;
        for (int i = 0; i < path.length - 1; i++) {
            JsonNode child = node.get(path[i]);
            if (child == null || child.isNull()) {
                child = node.putObject(path[i]);
            } else if (!child.isObject()) {
                throw new ConfigException("override " + key + ": '" + String.join(".", List.of(path).subList(0, i + 1))
                        + "' is a value, not a section");
            }
            node = (ObjectNode) child;
        }
        node.set(path[path.length - 1], value);
    }

    private static <T> T bind(ObjectNode tree, Class<T> type, String where) {
        try {
            return YAML.treeToValue(tree, type);
        } catch (UnrecognizedPropertyException e) {
            String key = dotted(e);
            List<String> known = e.getKnownPropertyIds().stream().map(Object::toString).sorted().toList();
            throw new ConfigException("unknown config key '" + key + "' in " + where + " (known here: "
                    + String.join(", ", known) + ")", e);
        } catch (InvalidFormatException e) {
            throw new ConfigException("config key '" + dotted(e) + "' in " + where + " expects "
                    + describe(e.getTargetType()) + ", got '" + e.getValue() + "'", e);
        } catch (MismatchedInputException e) {
            if (e.getTargetType() != null && e.getTargetType().isRecord()) {
                // Jackson's own text here names Java classes and creators, nothing the user wrote.
                throw new ConfigException("config key '" + dotted(e) + "' in " + where + " is a section: set its keys ("
                        + dotted(e) + ".KEY=VALUE, or KEY: VALUE lines under it), not a value", e);
            }
            throw new ConfigException("config key '" + dotted(e) + "' in " + where + " expects "
                    + describe(e.getTargetType()) + ", got " + given(e.getOriginalMessage()), e);
        } catch (JsonMappingException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String key = dotted(e);
            // a record's own check (no key in the path) names its keys itself
            throw new ConfigException((key.isEmpty() ? where : "config key '" + key + "' in " + where) + ": "
                    + cause.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(where + ": " + e.getOriginalMessage(), e);
        }
    }

    /** What Jackson says it met, in the user's words (its own text names Java types and tokens). */
    private static String given(String jacksonMessage) {
        String m = jacksonMessage == null ? "" : jacksonMessage;
        if (m.contains("Array value") || m.contains("START_ARRAY")) {
            return "a list";
        }
        if (m.contains("Object value") || m.contains("START_OBJECT")) {
            return "a section (key: value lines)";
        }
        if (m.contains("String value") || m.contains("VALUE_STRING")) {
            return "text";
        }
        if (m.contains("Boolean value") || m.contains("VALUE_TRUE") || m.contains("VALUE_FALSE")) {
            return "true or false";
        }
        if (m.contains("Floating-point value") || m.contains("VALUE_NUMBER_FLOAT")) {
            return "a number with a fraction";
        }
        return "a value of another type";
    }

    private static String dotted(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    private static String describe(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "an integer";
        }
        if (type == float.class || type == Float.class || type == double.class || type == Double.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type.isEnum()) {
            return "one of " + List.of(type.getEnumConstants()).stream().map(c -> ((Enum<?>) c).name().toLowerCase())
                    .collect(Collectors.joining(", "));
        }
        if (type.isRecord()) {
            return "a section (key: value lines)";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list (e.g. [0.5, 0.5, 0.5])";
        }
        if (type == String.class) {
            return "text";
        }
        if (java.nio.file.Path.class.isAssignableFrom(type)) {
            return "a path";
        }
        if (type == java.time.Duration.class) {
            return "a duration";
        }
        if (java.util.Map.class.isAssignableFrom(type)) {
            return "a section (key: value lines)";
        }
        return "another type";
    }

    /** The flattened {@code dotted.key -> value} view, for memos and logs. */
    public static Map<String, String> flatten(Object config) {
        JsonNode tree = YAML.valueToTree(config);
        Map<String, String> out = new java.util.TreeMap<>();
        flatten("", tree, out);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else {
            out.put(prefix, node.isTextual() ? node.textValue() : node.toString());
        }
    }
}
