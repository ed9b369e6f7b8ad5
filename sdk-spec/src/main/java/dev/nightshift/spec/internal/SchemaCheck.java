package dev.nightshift.spec.internal;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The environment.json JSON Schema (draft 2019-09, shipped as a resource), compiled once on
 * first use and shared; turns networknt's findings into located problems with plain messages.
 *
 * <p>Thread-safety: the compiled schema is immutable and safe for concurrent validation.
 * Lifecycle: loaded with the class.
 */
public final class SchemaCheck {
    /** Classpath location of the schema. */
    public static final String RESOURCE = "/dev/nightshift/spec/environment.schema.json";

    private static final Schema SCHEMA = load();

    private SchemaCheck() {
    }

    private static Schema load() {
        try (InputStream in = SchemaCheck.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2019_09).getSchema(in);
            schema.initializeValidators();
            return schema;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /** Validates {@code root}, adding one error per finding. */
    public static void validate(JsonNode root, Findings findings) {
        List<Error> errors = SCHEMA.validate(root);
        for (Error e : errors) {
            String pointer = pointer(e.getInstanceLocation());
            findings.error(pointer, message(e), null);
        }
    }

    static String pointer(NodePath path) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < path.getNameCount(); i++) {
            Object element = path.getElement(i);
            b.append('/').append(element instanceof Integer ? element.toString()
                    : LocationIndex.escape(String.valueOf(element)));
        }
        return b.toString();
    }

    private static String message(Error e) {
        JsonNode instance = e.getInstanceNode();
        JsonNode schema = e.getSchemaNode();
        String keyword = e.getKeyword() == null ? "" : e.getKeyword();
        switch (keyword) {
            case "required":
                return "required property '" + e.getProperty() + "' is missing";
            case "type":
                return "must be " + article(schema == null ? "?" : schema.asText()) + ", not " + kind(instance);
            case "minimum":
            case "maximum":
                return "must be in 1..65535, was " + (instance == null ? "?" : instance.asText());
            case "pattern":
            case "minLength":
                return "must not be empty";
            case "additionalProperties":
                return "unknown key '" + e.getProperty() + "'";
            default:
                // networknt's own text names the rule; it never carries the instance's value for
                // the keywords this schema uses.
                return e.getMessage();
        }
    }

    private static String article(String type) {
        return switch (type) {
            case "object", "array", "integer" -> "an " + type;
            default -> "a " + type;
        };
    }

    static String kind(JsonNode node) {
        if (node == null) {
            return "missing";
        }
        if (node.isTextual()) {
            return "a string";
        }
        if (node.isIntegralNumber()) {
            return "an integer";
        }
        if (node.isNumber()) {
            return "a number";
        }
        if (node.isBoolean()) {
            return "a boolean";
        }
        if (node.isNull()) {
            return "null";
        }
        if (node.isArray()) {
            return "an array";
        }
        return "an object";
    }
}
