package dev.nightshift.model.internal;

/**
 * What a tool call returned to the model.
 *
 * @param text what the model is sent (before redaction and cutting)
 * @param error whether the tool failed
 * @param exitCode the exit code of the command it ran, or {@code null}
 */
public record ToolOutcome(String text, boolean error, Integer exitCode) {
    public static ToolOutcome ok(String text) {
        return new ToolOutcome(text, false, null);
    }

    public static ToolOutcome error(String text) {
        return new ToolOutcome(text, true, null);
    }
}
