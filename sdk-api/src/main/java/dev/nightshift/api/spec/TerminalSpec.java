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
 * @param name window name, or {@code null} (a name is derived from the position)
 * @param command the shell command; required and not blank
 * @param description shown to the agent, or {@code null}
 */
public record TerminalSpec(String name, String command, String description) {
    public TerminalSpec {
        Objects.requireNonNull(command, "command");
        if (command.isBlank()) {
            throw new IllegalArgumentException("terminal command must not be blank");
        }
    }

    public static TerminalSpec of(String name, String command) {
        return new TerminalSpec(name, command, null);
    }

    public TerminalSpec withDescription(String newDescription) {
        return new TerminalSpec(name, command, newDescription);
    }

    public Optional<String> nameIfSet() {
        return Optional.ofNullable(name);
    }

    public Optional<String> descriptionIfSet() {
        return Optional.ofNullable(description);
    }
}
