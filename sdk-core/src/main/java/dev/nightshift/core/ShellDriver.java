package dev.nightshift.core;

import dev.nightshift.api.AgentContext;
import dev.nightshift.api.AgentDriver;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.Session;
import dev.nightshift.api.Turn;
import dev.nightshift.api.TurnResult;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import java.util.ArrayList;
import java.util.List;

/**
 * A deterministic driver: each prompt is a bash script, run in the workspace as the session's
 * user with {@code set -euo pipefail}. A line that is exactly {@code # checkpoint} splits the
 * script into steps, and the driver calls {@link AgentContext#checkpoint()} before each one, so a
 * human can take over between steps. A line printed as {@code SUMMARY: text} becomes the turn's
 * summary (the last one wins); otherwise the summary says how many steps ran. A step that fails
 * fails the turn with its exit code and last lines.
 *
 * <p><b>Thread-safety:</b> stateless and thread-safe; one instance serves every agent.
 * <b>Lifecycle:</b> none.
 *
 * <pre>{@code
 * AgentRequest r = AgentRequest.builder("echo hello > hello.txt\n# checkpoint\ngit add -A", repo)
 *         .driver(ShellDriver.NAME).build();
 * }</pre>
 */
public final class ShellDriver implements AgentDriver {
    /** The name requests use: {@value}. */
    public static final String NAME = "shell";
    private static final String SUMMARY = "SUMMARY: ";

    @Override
    public String name() {
        return NAME;
    }

    /** The steps of {@code script}: split at lines that are exactly {@code # checkpoint}. */
    static List<String> steps(String script) {
        List<String> steps = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n", -1)) {
            if (line.strip().equals("# checkpoint")) {
                steps.add(current.toString());
                current.setLength(0);
            } else {
                current.append(line).append('\n');
            }
        }
        steps.add(current.toString());
        steps.removeIf(s -> s.isBlank());
        return steps;
    }

    @Override
    public TurnResult runTurn(Turn turn, AgentContext context) {
        Session session = context.session();
        List<String> steps = steps(turn.prompt());
        String summary = null;
        int n = 0;
        for (String step : steps) {
            context.checkpoint();
            n++;
            ExecResult r = session.machine().exec(ExecRequest.builder("bash", "-c", "set -euo pipefail\n" + step)
                    .workdir(session.workspace())
                    .user(session.user())
                    .build()).await();
            for (String line : r.stdoutTail().split("\n")) {
                if (line.startsWith(SUMMARY)) {
                    summary = line.substring(SUMMARY.length()).strip();
                }
            }
            if (!r.isSuccess()) {
                throw new NightshiftException("step " + n + " of " + steps.size() + " "
                        + (r.outcome() == ExecResult.Outcome.EXITED ? "exited " + r.exitCode() : r.outcome().name().toLowerCase())
                        + ": " + String.join(" | ", r.lastLines(5)));
            }
        }
        if (summary == null) {
            summary = "Ran " + n + " shell step" + (n == 1 ? "" : "s");
        }
        context.say(summary);
        return TurnResult.of(summary);
    }
}
