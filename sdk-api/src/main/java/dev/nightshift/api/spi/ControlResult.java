package dev.nightshift.api.spi;

import java.util.Objects;

/**
 * What came of a {@link ControlCommand}, recorded by the engine that ran it.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> written by
 * {@link AgentStore#completeControl}, read once by the sender through
 * {@link AgentStore#awaitControlResult}, which removes it.
 *
 * <pre>{@code
 * store.completeControl(ControlResult.ok(command, null));
 * }</pre>
 *
 * @param commandId the command's id
 * @param agentId the command's agent
 * @param error the kind of failure (the simple name of the exception, e.g. {@code ConflictException}),
 *     or null when the control succeeded
 * @param message the failure's message, or null
 * @param value the control's result as JSON text (a take-over's session), or null
 */
public record ControlResult(String commandId, String agentId, String error, String message, String value) {
    public ControlResult {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(agentId, "agentId");
    }

    /** A success, with an optional value. */
    public static ControlResult ok(ControlCommand command, String value) {
        return new ControlResult(command.id(), command.agentId(), null, null, value);
    }

    /** A failure. */
    public static ControlResult failed(ControlCommand command, String error, String message) {
        return new ControlResult(command.id(), command.agentId(), Objects.requireNonNull(error, "error"), message, null);
    }

    /** Whether the control succeeded. */
    public boolean succeeded() {
        return error == null;
    }
}
