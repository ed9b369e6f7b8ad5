package dev.nightshift.api.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A control (follow-up, stop, take-over…) sent through the {@link AgentStore} by an engine that
 * does not drive the agent, for the engine that holds the agent's lease to run.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> lives in the store's inbox from
 * {@link AgentStore#submitControl} until {@link AgentStore#claimControls} hands it to the
 * lease holder (or the sender {@linkplain AgentStore#withdrawControl withdraws} it).
 *
 * <pre>{@code
 * store.submitControl(ControlCommand.of("bc-1", "followUp", "echo again"));
 * }</pre>
 *
 * @param id unique id of the command (letters, digits, '-'; up to 64)
 * @param agentId the agent it is for
 * @param action what to do: {@code followUp}, {@code stop}, {@code cancel}, {@code takeOver},
 *     {@code handBack}, {@code promoteSnapshot}, {@code delete}
 * @param argument the action's argument (the prompt of a follow-up, the person of a take-over),
 *     or null
 * @param sentAt when it was submitted
 */
public record ControlCommand(String id, String agentId, String action, String argument, Instant sentAt) {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

    public ControlCommand {
        Objects.requireNonNull(id, "id");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not a valid control command id: " + id);
        }
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(sentAt, "sentAt");
    }

    /** A new command with a random id, sent now. */
    public static ControlCommand of(String agentId, String action, String argument) {
        return new ControlCommand(java.util.UUID.randomUUID().toString(), agentId, action, argument, Instant.now());
    }
}
