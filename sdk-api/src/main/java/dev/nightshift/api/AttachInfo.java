package dev.nightshift.api;

import java.util.List;
import java.util.Objects;

/**
 * How a human reaches an agent's machine: the command to run on the host (for Docker,
 * {@code docker exec -it -u <user> <id> tmux attach -t <session>}), the machine, the user and the
 * tmux session shared with the agent.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> valid while the machine lives.
 *
 * <pre>{@code
 * System.out.println("take over with: " + String.join(" ", session.attach().command()));
 * }</pre>
 *
 * @param command argv to run on the host
 * @param machineId the machine
 * @param user the user the human acts as
 * @param terminalSession the tmux session name
 * @param window the window the command selects (the person's shell on a take-over), or null
 */
public record AttachInfo(List<String> command, String machineId, String user, String terminalSession, String window) {
    public AttachInfo {
        command = List.copyOf(command);
        Objects.requireNonNull(machineId, "machineId");
    }

    /** Attach information without a selected window. */
    public AttachInfo(List<String> command, String machineId, String user, String terminalSession) {
        this(command, machineId, user, terminalSession, null);
    }

    /** The command as one shell-quoted line. */
    public String commandLine() {
        StringBuilder sb = new StringBuilder();
        for (String arg : command) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(arg.matches("[A-Za-z0-9_./:=@%+-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'");
        }
        return sb.toString();
    }
}
