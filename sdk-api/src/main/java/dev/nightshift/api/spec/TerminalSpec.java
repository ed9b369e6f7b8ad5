package dev.nightshift.api.spec;

import java.util.Objects;
import java.util.Optional;

/**
 * One long-running process of the environment ({@code terminals[]} in environment.json),
 * started in its own tmux window after {@code start}.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * TerminalSpec web = TerminalSpec.of("web", "npm run dev").withDescription("dev server on :3000");
 * }</pre>
 *
 * @param name window name; empty to derive a name from the position
 * @param command the shell command; required and not blank
 * @param description shown to the agent; empty for none
 */
public record TerminalSpec(Optional<String> name, String command, Optional<String> description) {
    public TerminalSpec {
        name = name == null ? Optional.empty() : name;
        description = description == null ? Optional.empty() : description;
        Objects.requireNonNull(command, "command");
        if (command.isBlank()) {
            throw new IllegalArgumentException("terminal command must not be blank");
        }
    }

    /** A terminal without description; {@code name} may be {@code null}. */
    public static TerminalSpec of(String name, String command) {
        return new TerminalSpec(Optional.ofNullable(name), command, Optional.empty());
    }

    /** The same terminal with this description ({@code null} for none). */
    public TerminalSpec withDescription(String newDescription) {
        return new TerminalSpec(name, command, Optional.ofNullable(newDescription));
    }
}
