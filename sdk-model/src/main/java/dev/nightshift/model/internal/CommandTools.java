package dev.nightshift.model.internal;

import static dev.nightshift.model.internal.MachineFiles.WORKSPACE;
import static dev.nightshift.model.internal.MachineFiles.interrupted;
import static dev.nightshift.model.internal.ToolArguments.bool;
import static dev.nightshift.model.internal.ToolArguments.integer;
import static dev.nightshift.model.internal.ToolArguments.string;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nightshift.api.AgentContext;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.Registration;
import dev.nightshift.api.Session;
import dev.nightshift.api.runtime.ExecHandle;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.api.runtime.TerminalInfo;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The command tools of a model driver: run a shell command in the workspace (bounded by a
 * timeout, or in the background in a terminal of its own) and read a terminal's recent output.
 *
 * <p><b>Thread-safety:</b> one instance per turn, used by the turn's thread only.
 */
final class CommandTools {
    private final Session session;
    private final Duration defaultCommandTimeout;
    private final Duration maxCommandTimeout;
    private final int maxOutputChars;
    private int backgroundCount;

    CommandTools(Session session, Duration defaultCommandTimeout, Duration maxCommandTimeout, int maxOutputChars) {
        this.session = session;
        this.defaultCommandTimeout = defaultCommandTimeout;
        this.maxCommandTimeout = maxCommandTimeout;
        this.maxOutputChars = maxOutputChars;
    }

    ToolOutcome runCommand(JsonNode a, AgentContext context) {
        String command = string(a, "command", true);
        if (command.isBlank()) {
            throw new ToolException("command must not be blank");
        }
        if (bool(a, "background")) {
            return background(command);
        }
        int seconds = integer(a, "timeout_seconds", (int) defaultCommandTimeout.toSeconds());
        Duration timeout = Duration.ofSeconds(Math.max(1, Math.min(seconds, maxCommandTimeout.toSeconds())));
        Capture out = new Capture(maxOutputChars / 2);
        ExecHandle h = session.machine().exec(ExecRequest.builder("bash", "-lc", command).workdir(WORKSPACE)
                .user(session.user()).timeout(timeout).listener(out).tailBytes(1024).build());
        ExecResult r;
        try (Registration reg = context.onInterrupt(h::cancel)) {
            r = h.await();
        }
        interrupted(r);
        String text = out.text();
        String end = switch (r.outcome()) {
            case TIMED_OUT -> "[timed out after " + timeout.toSeconds() + " s and was killed; run long commands with"
                    + " background true]";
            case OOM_KILLED -> "[killed: out of memory]";
            default -> "[exit code " + r.exitCode() + "]";
        };
        return new ToolOutcome((text.isEmpty() ? "" : text + (text.endsWith("\n") ? "" : "\n")) + end,
                r.outcome() != ExecResult.Outcome.EXITED, r.exitCode());
    }

    private ToolOutcome background(String command) {
        for (int attempt = 0; attempt < 100; attempt++) {
            String name = "agent-" + (++backgroundCount);
            try {
                session.machine().terminals().start(name, command, WORKSPACE, Map.of());
                return ToolOutcome.ok("started in the background in terminal '" + name + "' (tmux session "
                        + session.machine().terminals().sessionName() + "); read its output with read_terminal name="
                        + name);
            } catch (ConflictException taken) {
                // a name from an earlier turn: try the next
            }
        }
        throw new ToolException("no free terminal name");
    }

    ToolOutcome readTerminal(JsonNode a) {
        String name = string(a, "name", true);
        int lines = Math.max(1, Math.min(integer(a, "lines", 200), 5000));
        try {
            String screen = session.machine().terminals().read(name, lines);
            return ToolOutcome.ok(Output.cut(screen, maxOutputChars));
        } catch (NotFoundException e) {
            throw new ToolException("no terminal named '" + name + "'; the terminals are: " + session.machine().terminals()
                    .list().stream().map(TerminalInfo::name).collect(Collectors.joining(", ")));
        } catch (NightshiftException e) {
            throw new ToolException("cannot read terminal '" + name + "': " + e.getMessage());
        }
    }
}
