package dev.nightshift.api;

import java.util.Locale;
import java.util.Objects;

/**
 * An agent's status. An open set: the known values are constants, and a value this version does
 * not know (written by a newer Nightshift, or sent by a server) round-trips unchanged.
 *
 * <p>Transitions: {@code CREATING -> RUNNING -> FINISHED}; a follow-up moves {@code FINISHED} or
 * {@code STOPPED} back to {@code RUNNING}; {@code ERROR} on failure; {@code CANCELLED} and
 * {@code EXPIRED} are final. Hibernated and taken-over are flags on {@link AgentInfo}, not
 * statuses.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * AgentStatus s = AgentStatus.of("FINISHED");
 * if (s.equals(AgentStatus.FINISHED)) { ... }
 * AgentStatus future = AgentStatus.of("ARCHIVED"); // unknown, kept as is
 * }</pre>
 *
 * @param name the upper-case wire name
 */
public record AgentStatus(String name) {
    public static final AgentStatus CREATING = new AgentStatus("CREATING");
    public static final AgentStatus RUNNING = new AgentStatus("RUNNING");
    public static final AgentStatus FINISHED = new AgentStatus("FINISHED");
    public static final AgentStatus STOPPED = new AgentStatus("STOPPED");
    public static final AgentStatus ERROR = new AgentStatus("ERROR");
    public static final AgentStatus CANCELLED = new AgentStatus("CANCELLED");
    public static final AgentStatus EXPIRED = new AgentStatus("EXPIRED");

    public AgentStatus {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("status name must not be blank");
        }
    }

    /** The status named {@code name} (case-insensitive for known values; unknown kept upper-cased). */
    public static AgentStatus of(String name) {
        return new AgentStatus(name.trim().toUpperCase(Locale.ROOT));
    }

    /** Whether this is one of the values above. */
    public boolean isKnown() {
        return switch (name) {
            case "CREATING", "RUNNING", "FINISHED", "STOPPED", "ERROR", "CANCELLED", "EXPIRED" -> true;
            default -> false;
        };
    }

    /** No transition leaves a final status ({@code CANCELLED}, {@code EXPIRED}). */
    public boolean isFinal() {
        return equals(CANCELLED) || equals(EXPIRED);
    }

    /**
     * Whether a follow-up is accepted in this status: queued behind the current turn while
     * {@code CREATING} or {@code RUNNING}, resuming the agent when {@code FINISHED} or
     * {@code STOPPED}.
     */
    public boolean acceptsFollowUp() {
        return isActive() || equals(FINISHED) || equals(STOPPED);
    }

    /** {@code CREATING} or {@code RUNNING}: the agent is doing work. */
    public boolean isActive() {
        return equals(CREATING) || equals(RUNNING);
    }

    @Override
    public String toString() {
        return name;
    }
}
