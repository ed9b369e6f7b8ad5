package dev.nightshift.core.internal;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.runtime.ExecHandle;
import dev.nightshift.api.runtime.ExecListener;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineState;
import dev.nightshift.api.runtime.PortMapping;
import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.api.runtime.TerminalInfo;
import dev.nightshift.api.runtime.Terminals;
import dev.nightshift.secrets.Redactor;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The agent's machine as drivers and humans see it: every exec is recorded as command events
 * (output line by line, capped per command so a command printing gigabytes passes through without
 * flooding the log), and every running exec can be cancelled at once when the agent is stopped.
 * Closing the view does not remove the machine; the engine owns it.
 *
 * <p>The agent's secrets are redacted from the byte stream of each exec's stdout and stderr
 * before it is cut into lines (a secret split across writes, chunks or lines is still found):
 * the recorded events, the caller's listener, the result's output tails and terminal reads all
 * see the redacted text.
 */
public final class RecordingMachine implements Machine {
    /** Output lines per command that become events; the rest only pass through. */
    static final int MAX_LINES_PER_COMMAND = 2000;

    private final Machine delegate;
    private final String agentId;
    private final Consumer<AgentEvent> events;
    private final Supplier<String> phase;
    private final Clock clock;
    private final Set<ExecHandle> running = ConcurrentHashMap.newKeySet();
    private final Supplier<Map<String, String>> secretEnv;
    private final Supplier<Redactor> redactor;

    /**
     * @param secretEnv the agent's secret variables, added to every exec and terminal (never to the
     *     container's own configuration, which a snapshot would keep)
     * @param redactor the agent's secrets, redacted from every exec's output stream
     */
    public RecordingMachine(Machine delegate, String agentId, Consumer<AgentEvent> events, Supplier<String> phase,
            Clock clock, Supplier<Map<String, String>> secretEnv, Supplier<Redactor> redactor) {
        this.delegate = delegate;
        this.agentId = agentId;
        this.events = events;
        this.phase = phase;
        this.clock = clock;
        this.secretEnv = secretEnv;
        this.redactor = redactor;
    }

    private Map<String, String> withSecrets(Map<String, String> env) {
        Map<String, String> secrets = secretEnv.get();
        if (secrets.isEmpty()) {
            return env;
        }
        Map<String, String> merged = new java.util.HashMap<>(secrets);
        merged.putAll(env);
        return merged;
    }

    public Machine delegate() {
        return delegate;
    }

    /** Kills every exec started through this view that is still running. */
    public void cancelAll() {
        for (ExecHandle h : running) {
            h.cancel();
        }
    }

    @Override
    public ExecHandle exec(ExecRequest request) {
        String ph = phase.get();
        Instant start = clock.instant();
        events.accept(new AgentEvent.CommandStarted(agentId, 0, start, ph, describe(request.command())));
        int[] lines = {0};
        ExecListener.LineListener recorder = ExecListener.lines((stream, line) -> {
            int n = ++lines[0];
            if (n <= MAX_LINES_PER_COMMAND) {
                events.accept(new AgentEvent.CommandOutput(agentId, 0, clock.instant(), ph, stream, line));
            } else if (n == MAX_LINES_PER_COMMAND + 1) {
                events.accept(new AgentEvent.CommandOutput(agentId, 0, clock.instant(), ph, stream,
                        "[nightshift: further output of this command is not recorded]"));
            }
        });
        ExecListener callers = request.listener();
        Redactor redact = redactor.get();
        ExecListener tee = new ExecListener() {
            @Override
            public void onStdout(byte[] b, int off, int len) {
                recorder.onStdout(b, off, len);
                callers.onStdout(b, off, len);
            }

            @Override
            public void onStderr(byte[] b, int off, int len) {
                recorder.onStderr(b, off, len);
                callers.onStderr(b, off, len);
            }
        };
        Redactor.OutputListener redacting = redact.isEmpty() ? null : redact.execListener(tee);
        ExecRequest.Builder b = request.toBuilder().listener(redacting == null ? tee : redacting);
        Map<String, String> secrets = secretEnv.get();
        if (!secrets.isEmpty()) {
            Map<String, String> own = request.env();
            secrets.forEach((k, v) -> {
                if (!own.containsKey(k)) {
                    b.env(k, v);
                }
            });
        }
        ExecHandle handle = delegate.exec(b.build());
        running.add(handle);
        CompletableFuture<ExecResult> recorded = new CompletableFuture<>();
        handle.result().whenComplete((r, e) -> {
            running.remove(handle);
            if (redacting != null) {
                redacting.flush();
            }
            recorder.flush();
            if (callers instanceof ExecListener.LineListener l) {
                l.flush();
            }
            long ms = Duration.between(start, clock.instant()).toMillis();
            if (r != null) {
                events.accept(new AgentEvent.CommandFinished(agentId, 0, clock.instant(), ph, r.exitCode(), r.outcome(), ms));
            } else {
                events.accept(new AgentEvent.CommandFinished(agentId, 0, clock.instant(), ph, -1,
                        ExecResult.Outcome.CANCELLED, ms));
            }
            if (r != null) {
                recorded.complete(redact.isEmpty() ? r : new ExecResult(r.exitCode(), r.outcome(),
                        redact.redact(r.stdoutTail()), redact.redact(r.stderrTail()), r.stdoutBytes(),
                        r.stderrBytes(), r.duration()));
            } else {
                recorded.completeExceptionally(e);
            }
        });
        return new ExecHandle() {
            @Override
            public String id() {
                return handle.id();
            }

            @Override
            public CompletableFuture<ExecResult> result() {
                return recorded;
            }

            @Override
            public void cancel() {
                handle.cancel();
            }
        };
    }

    static String describe(List<String> command) {
        if (command.size() == 3 && command.get(0).equals("bash") && command.get(1).equals("-c")) {
            return command.get(2).replace("set -euo pipefail\n", "").strip();
        }
        return String.join(" ", command);
    }

    @Override public String id() { return delegate.id(); }
    @Override public String user() { return delegate.user(); }
    @Override public Map<String, String> labels() { return delegate.labels(); }
    @Override public MachineState state() { return delegate.state(); }
    @Override public byte[] readFile(String path) { return delegate.readFile(path); }
    @Override public void writeFile(String path, byte[] content) { delegate.writeFile(path, content); }
    @Override public void copyIn(Path hostPath, String machineDir) { delegate.copyIn(hostPath, machineDir); }
    @Override public void copyOut(String machinePath, Path hostDir) { delegate.copyOut(machinePath, hostDir); }
    @Override
    public Terminals terminals() {
        Terminals t = delegate.terminals();
        return new Terminals() {
            @Override
            public TerminalInfo start(String name, String command, String workdir, Map<String, String> env) {
                return t.start(name, command, workdir, withSecrets(env));
            }

            @Override public List<TerminalInfo> list() { return t.list(); }
            @Override public String read(String name, int lines) { return redactor.get().redact(t.read(name, lines)); }
            @Override public void sendKeys(String name, String text) { t.sendKeys(name, text); }
            @Override public void stop(String name) { t.stop(name); }
            @Override public String sessionName() { return t.sessionName(); }
            @Override public List<String> attachCommand() { return t.attachCommand(); }
            @Override public void ensureSession(String workdir) { t.ensureSession(workdir); }
            @Override public void openShell(String name, String workdir) { t.openShell(name, workdir); }
            @Override public List<String> attachCommand(String window) { return t.attachCommand(window); }
        };
    }
    @Override public List<PortMapping> ports() { return delegate.ports(); }
    @Override public void updateEgress(dev.nightshift.api.runtime.EgressPolicy policy) { delegate.updateEgress(policy); }
    @Override public List<dev.nightshift.api.runtime.EgressBlock> blockedRequests(java.time.Instant since) {
        return delegate.blockedRequests(since);
    }
    @Override public SnapshotInfo snapshot(Map<String, String> labels) { return delegate.snapshot(labels); }

    @Override
    public SnapshotInfo hibernate(Map<String, String> labels) {
        throw new IllegalStateException("the engine owns the agent's machine: hibernation is its call");
    }

    @Override
    public void stop() {
        throw new IllegalStateException("the engine owns the agent's machine: use Agent.stop()");
    }

    /** Does nothing: the view is not the owner. */
    @Override
    public void close() {
    }
}
