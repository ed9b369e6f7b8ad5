package dev.nightshift.machine;

import dev.nightshift.api.ConflictException;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.runtime.TerminalInfo;
import dev.nightshift.api.runtime.Terminals;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Terminals as windows of one tmux session ({@value #SESSION}) run as the machine's user, so a
 * human who attaches with {@link #attachCommand()} sees exactly what the agent sees. Shells
 * ({@link #openShell}) are windows marked with the window option {@value #SHELL_OPTION}. Windows stay
 * after their command ends ({@code remain-on-exit}) so its last output can still be read.
 *
 * <p>Every tmux command is one internal command in the machine, run by the runtime's
 * {@link Runner} (through its exec server); how a human attaches ({@code docker exec -it},
 * {@code kubectl exec -it}) is the runtime's too.
 *
 * <pre>{@code
 * Terminals terminals = new TmuxTerminals(id, "ubuntu", "/workspace", Map.of(),
 *         (command, user, timeout) -> runBuffered(command, user, timeout),
 *         target -> List.of("docker", "exec", "-it", "-u", "ubuntu", id, "tmux", "attach", "-t", target));
 * }</pre>
 *
 * <p>Thread-safety: thread-safe (tmux serialises; starts are synchronised here).
 * Lifecycle: as long as the machine.
 */
public final class TmuxTerminals implements Terminals {
    static final String SESSION = "nightshift";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** A window option that marks shells (take-over windows), which are not terminals. */
    private static final String SHELL_OPTION = "@nightshift-shell";
    private static final String LOGIN_SHELL = "exec bash -l";
    private final String machineId;
    private final String user;
    private final String workdir;
    private final Map<String, String> env;
    private final Runner runner;
    private final Function<String, List<String>> attach;

    /** Runs one internal command to its end, output buffered. */
    @FunctionalInterface
    public interface Runner {
        /** Runs {@code command} as {@code user} in the machine, failing after {@code timeout}. */
        CommandOutput run(List<String> command, String user, Duration timeout);
    }

    /**
     * Terminals of machine {@code machineId} whose user is {@code user}, whose default working
     * directory is {@code workdir} ({@code null}: the user's home) and environment {@code env};
     * {@code attach} turns a tmux target ({@code session} or {@code session:=window}) into the
     * host command a human runs to attach.
     */
    public TmuxTerminals(String machineId, String user, String workdir, Map<String, String> env, Runner runner,
            Function<String, List<String>> attach) {
        this.machineId = Objects.requireNonNull(machineId, "machineId");
        this.user = Objects.requireNonNull(user, "user");
        this.workdir = workdir;
        this.env = Map.copyOf(env);
        this.runner = Objects.requireNonNull(runner, "runner");
        this.attach = Objects.requireNonNull(attach, "attach");
    }

    private static String target(String name) {
        return SESSION + ":=" + name;
    }

    private CommandOutput tmux(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("tmux");
        cmd.addAll(args);
        return runner.run(cmd, user, TIMEOUT);
    }

    private CommandOutput tmuxOk(List<String> args, String what) {
        CommandOutput r = tmux(args);
        if (!r.ok()) {
            throw new NightshiftException("tmux " + what + " failed in machine " + machineId + " (exit " + r.exit()
                    + "): " + r.stderr().strip());
        }
        return r;
    }

    @Override
    public synchronized TerminalInfo start(String name, String command, String workdir, Map<String, String> env) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("terminal names are 1-64 of [A-Za-z0-9_.-], not starting with . - _: '"
                    + name + "'");
        }
        Optional<List<Window>> existing = session();
        if (existing.orElse(List.of()).stream().anyMatch(t -> t.name().equals(name))) {
            throw new ConflictException("terminal '" + name + "' already exists in machine " + machineId);
        }
        Map<String, String> all = new LinkedHashMap<>(this.env);
        if (env != null) {
            all.putAll(env);
        }
        List<String> window = new ArrayList<>();
        window.add("-n");
        window.add(name);
        String dir = workdir != null ? workdir : this.workdir;
        if (dir != null) {
            window.add("-c");
            window.add(dir);
        }
        all.forEach((k, v) -> {
            window.add("-e");
            window.add(k + "=" + v);
        });
        window.add(command);
        // one tmux call opens the window and lists the session, so the answer shows its state
        List<String> args = openWindow(window, existing.isPresent());
        args.add(";");
        args.addAll(LIST_WINDOWS);
        CommandOutput r = tmuxOk(args, "start of terminal '" + name + "'");
        return parse(r.out()).stream().filter(w -> !w.shell() && w.name().equals(name)).findFirst()
                .map(w -> new TerminalInfo(w.name(), w.command(), w.running()))
                .orElse(new TerminalInfo(name, command, false));
    }

    /**
     * The tmux arguments that open {@code window} (new-window arguments without the verb): as a
     * new window of the session when {@code hasSession}, or as the session's first window.
     */
    private static List<String> openWindow(List<String> window, boolean hasSession) {
        List<String> args = new ArrayList<>();
        if (hasSession) {
            args.add("new-window");
            args.add("-d");
            args.add("-t");
            args.add(SESSION + ":");
            args.addAll(window);
        } else {
            // options first, in the same server start, so even a command that ends at once keeps its window
            args.addAll(List.of("start-server", ";", "set-option", "-g", "remain-on-exit", "on", ";",
                    "set-option", "-g", "history-limit", "10000", ";", "new-session", "-d", "-s", SESSION,
                    "-x", "200", "-y", "50"));
            args.addAll(window);
        }
        return args;
    }

    /** Every window: name, running, start command, whether it is a shell. */
    private record Window(String name, boolean running, String command, boolean shell) {
    }

    private static final List<String> LIST_WINDOWS = List.of("list-windows", "-t", "=" + SESSION, "-F",
            "#{window_index}\t#{window_name}\t#{pane_dead}\t#{" + SHELL_OPTION + "}\t#{pane_start_command}");

    private List<Window> windows() {
        return session().orElse(List.of());
    }

    /** The session's windows; empty when there is no session (one tmux call answers both). */
    private Optional<List<Window>> session() {
        CommandOutput r = tmux(LIST_WINDOWS);
        return r.ok() ? Optional.of(parse(r.out())) : Optional.empty();
    }

    private static List<Window> parse(String listed) {
        List<Window> out = new ArrayList<>();
        for (String line : listed.split("\n")) {
            String[] f = line.split("\t", 5);
            if (f.length < 5) {
                continue;
            }
            String cmd = f[4];
            if (cmd.length() >= 2 && cmd.startsWith("\"") && cmd.endsWith("\"")) {
                cmd = cmd.substring(1, cmd.length() - 1).replace("\\\"", "\"");
            }
            out.add(new Window(f[1], !"1".equals(f[2]), cmd, "1".equals(f[3])));
        }
        return out;
    }

    @Override
    public List<TerminalInfo> list() {
        return windows().stream().filter(w -> !w.shell())
                .map(w -> new TerminalInfo(w.name(), w.command(), w.running())).toList();
    }

    @Override
    public synchronized void ensureSession(String workdir) {
        // one tmux call: open the session with its shell; "duplicate session" means it is already there
        // (tmux skips the rest of a command sequence after a failed command, so nothing else changes)
        CommandOutput r = openShellWindow(SHELL_WINDOW, workdir, false);
        if (!r.ok() && !r.stderr().contains("duplicate session")) {
            throw new NightshiftException("tmux opening shell '" + SHELL_WINDOW + "' failed in machine " + machineId
                    + " (exit " + r.exit() + "): " + r.stderr().strip());
        }
    }

    @Override
    public synchronized void openShell(String name, String workdir) {
        openShell(name, workdir, session());
    }

    /** Opens shell {@code name} in the session as {@code existing} lists it (empty: there is none). */
    private void openShell(String name, String workdir, Optional<List<Window>> existing) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("window names are 1-64 of [A-Za-z0-9_.-], not starting with . - _: '"
                    + name + "'");
        }
        for (Window w : existing.orElse(List.of())) {
            if (w.name().equals(name)) {
                if (!w.shell()) {
                    throw new ConflictException("'" + name + "' is a terminal in machine " + machineId
                            + ", not a shell: take over under another name");
                }
                if (!w.running()) { // the person exited the shell: a fresh one in the same window
                    tmuxOk(List.of("respawn-window", "-k", "-t", target(name)), "restart of shell '" + name + "'");
                }
                return;
            }
        }
        CommandOutput r = openShellWindow(name, workdir, existing.isPresent());
        if (!r.ok()) {
            throw new NightshiftException("tmux opening shell '" + name + "' failed in machine " + machineId
                    + " (exit " + r.exit() + "): " + r.stderr().strip());
        }
    }

    /** Opens a login shell in window {@code name}, marked as a shell: in the session, or as a new session. */
    private CommandOutput openShellWindow(String name, String workdir, boolean hasSession) {
        List<String> window = new ArrayList<>(List.of("-n", name));
        String dir = workdir != null ? workdir : this.workdir;
        if (dir != null) {
            window.add("-c");
            window.add(dir);
        }
        this.env.forEach((k, v) -> {
            window.add("-e");
            window.add(k + "=" + v);
        });
        window.add(LOGIN_SHELL);
        List<String> args = openWindow(window, hasSession);
        args.addAll(List.of(";", "set-option", "-w", "-t", target(name), SHELL_OPTION, "1"));
        return tmux(args);
    }

    private void requireExists(String name) {
        if (windows().stream().noneMatch(t -> t.name().equals(name))) {
            throw new NotFoundException("no terminal '" + name + "' in machine " + machineId);
        }
    }

    @Override
    public String read(String name, int lines) {
        if (lines <= 0) {
            throw new IllegalArgumentException("lines must be > 0");
        }
        requireExists(name);
        CommandOutput r = tmuxOk(List.of("capture-pane", "-p", "-J", "-t", target(name), "-S", "-" + lines), "read of '" + name + "'");
        List<String> all = new ArrayList<>(List.of(r.out().split("\n", -1)));
        // tmux's own "Pane is dead (status 0, ...)" line of an ended window is not output
        while (!all.isEmpty() && (all.get(all.size() - 1).isBlank() || all.get(all.size() - 1).startsWith("Pane is dead"))) {
            all.remove(all.size() - 1);
        }
        List<String> tail = all.subList(Math.max(0, all.size() - lines), all.size());
        return String.join("\n", tail);
    }

    @Override
    public void sendKeys(String name, String text) {
        requireExists(name);
        List<String> args = new ArrayList<>();
        String[] parts = text.split("\n", -1);
        for (int i = 0; i < parts.length; i++) {
            if (!parts[i].isEmpty()) {
                if (!args.isEmpty()) {
                    args.add(";");
                }
                args.addAll(List.of("send-keys", "-t", target(name), "-l", parts[i]));
            }
            if (i < parts.length - 1) {
                if (!args.isEmpty()) {
                    args.add(";");
                }
                args.addAll(List.of("send-keys", "-t", target(name), "Enter"));
            }
        }
        if (!args.isEmpty()) {
            tmuxOk(args, "send-keys to '" + name + "'");
        }
    }

    @Override
    public void stop(String name) {
        tmux(List.of("kill-window", "-t", target(name)));
    }

    @Override
    public String sessionName() {
        return SESSION;
    }

    @Override
    public List<String> attachCommand() {
        return attach(SESSION);
    }

    @Override
    public List<String> attachCommand(String window) {
        if (!NAME.matcher(window).matches()) {
            throw new IllegalArgumentException("not a window name: '" + window + "'");
        }
        return attach(target(window)); // attaching to session:window selects the window
    }

    private List<String> attach(String target) {
        return List.copyOf(attach.apply(target));
    }
}
