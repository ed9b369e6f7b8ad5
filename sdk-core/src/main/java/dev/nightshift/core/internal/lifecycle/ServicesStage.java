package dev.nightshift.core.internal.lifecycle;

import dev.nightshift.api.AgentCancelledException;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.api.spec.TerminalSpec;
import dev.nightshift.core.internal.EnvironmentCache;
import dev.nightshift.core.internal.RecordingMachine;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Stage 6, services: the spec's {@code install} (unless the snapshot ran it on this commit; when it
 * runs, its result becomes the environment's newest snapshot, see {@link InstallSnapshot}), its
 * {@code start} and its terminals. {@code start} and the terminals run again after every restore.
 */
public final class ServicesStage {
    private ServicesStage() {
    }

    /** {@code install} in the workspace and a snapshot of its result, unless the snapshot is this commit's install. */
    public static void install(AgentScope a, EnvironmentCache.Prepared prepared, String commit, Environment env) {
        if (prepared.installedAt(commit)) {
            // the snapshot is this commit's install: running it again would redo work (npm ci starts over)
            a.emit(new AgentEvent.BuildOutput(a.id(), 0, a.now(), "install already ran on this commit in snapshot "
                    + prepared.snapshot().id()));
        } else if (env.resolved().spec().install() != null && !env.resolved().spec().install().isBlank()) {
            InstallSnapshot.markStart(a);
            run(a, Phase.INSTALL, env.resolved().spec().install(), env.user(), a.engine().limits().installTimeout());
            InstallSnapshot.keep(a, prepared, commit, env); // the next agents on this commit need not run it
        }
    }

    /** {@code start}, then the terminals: at every agent start and after every restore. */
    public static void start(AgentScope a, Environment env) {
        run(a, Phase.START, env.resolved().spec().start(), env.user(), a.engine().limits().installTimeout());
        a.enter(Phase.TERMINALS);
        RecordingMachine view = a.machine().view();
        view.terminals().ensureSession(AgentMachine.WORKSPACE); // the session a human attaches to always exists
        int n = 0;
        for (TerminalSpec t : env.resolved().spec().terminals()) {
            n++;
            String name = t.name().filter(s -> !s.isBlank()).orElse("terminal-" + n);
            view.terminals().start(name, t.command(), AgentMachine.WORKSPACE, Map.of());
            a.emit(new AgentEvent.CommandStarted(a.id(), 0, a.now(), "terminal:" + name, t.command()));
        }
    }

    /** Runs a spec command in the workspace; a failure is an agent error, a cancel ends the stage. */
    private static void run(AgentScope a, Phase phase, String command, String user, Duration timeout) {
        if (command == null || command.isBlank()) {
            return;
        }
        a.enter(phase);
        String name = phase.label();
        Instant start = a.now();
        ExecResult r = a.machine().view().exec(ExecRequest.builder("bash", "-lc", command)
                .workdir(AgentMachine.WORKSPACE).user(user).timeout(timeout).build()).await();
        a.addUsage(name, start);
        if (!r.isSuccess()) {
            String why = r.outcome() == ExecResult.Outcome.TIMED_OUT ? "did not finish within " + timeout
                    : r.outcome() == ExecResult.Outcome.CANCELLED ? "was cancelled"
                    : r.outcome() == ExecResult.Outcome.OOM_KILLED ? "was killed: out of memory"
                    : "exited " + r.exitCode();
            if (r.outcome() == ExecResult.Outcome.CANCELLED) {
                throw new AgentCancelledException(name + " was cancelled");
            }
            throw new NightshiftException(name + " " + why + ": " + String.join("\n", r.lastLines(20)));
        }
    }
}
