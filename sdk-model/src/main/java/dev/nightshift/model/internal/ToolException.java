package dev.nightshift.model.internal;

/** A tool call failed in a way the model is told about (bad arguments, a path outside the workspace, a miss). */
public final class ToolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ToolException(String message) {
        super(message, null, false, false);
    }
}
