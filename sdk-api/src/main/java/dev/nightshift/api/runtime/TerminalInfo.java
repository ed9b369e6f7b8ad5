package dev.nightshift.api.runtime;

import java.util.Objects;

/**
 * A terminal (tmux window) in a machine.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value; describes the window when it
 * was listed.
 *
 * @param name the window's name
 * @param command the command it was started with
 * @param running whether its process is still running
 */
public record TerminalInfo(String name, String command, boolean running) {
    public TerminalInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(command, "command");
    }
}
