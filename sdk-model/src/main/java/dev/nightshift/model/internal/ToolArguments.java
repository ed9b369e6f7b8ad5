package dev.nightshift.model.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * Reading a tool call's arguments as the model sent them: a missing or mistyped argument is a
 * {@link ToolException} the model sees, naming the argument.
 *
 * <p>Thread-safety: stateless. Lifecycle: static helpers.
 */
final class ToolArguments {
    private ToolArguments() {
    }

    /** The string {@code field}, or {@code null} when it is absent and not {@code required}. */
    static String string(JsonNode a, String field, boolean required) {
        JsonNode n = a.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw new ToolException("missing argument '" + field + "'");
            }
            return null;
        }
        if (!n.isTextual()) {
            throw new ToolException("argument '" + field + "' must be a string, not " + n.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        return n.asText();
    }

    /** The integer {@code field} (a number, or a string of digits), else {@code dflt} when absent. */
    static int integer(JsonNode a, String field, int dflt) {
        JsonNode n = a.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (n.isTextual() && n.asText().matches("-?\\d{1,9}")) {
            return Integer.parseInt(n.asText());
        }
        if (!n.canConvertToInt()) {
            throw new ToolException("argument '" + field + "' must be an integer");
        }
        return n.asInt();
    }

    /** Whether {@code field} is true (a boolean, or the string {@code true}); false when absent. */
    static boolean bool(JsonNode a, String field) {
        JsonNode n = a.get(field);
        return n != null && (n.asBoolean() || "true".equalsIgnoreCase(n.asText()));
    }
}
