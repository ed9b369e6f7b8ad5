package dev.nightshift.api.runtime;

import java.util.List;
import java.util.Map;

/**
 * The terminals of one machine: one tmux session, one window per terminal, shared by the agent
 * and a human who takes over.
 *
 * <p>Besides the terminals, the session holds <em>shells</em>: windows running a login shell, opened
 * by {@link #openShell} (one per person who takes over, and the session's first window made by
 * {@link #ensureSession}). Shells are not terminals: {@link #list()} leaves them out.
 *
 * <p><b>Thread-safety:</b> thread-safe. <b>Lifecycle:</b> as long as its machine; the tmux
 * session is created by {@link #ensureSession} or the first {@link #start}.
 *
 * <pre>{@code
 * Terminals t = machine.terminals();
 * t.start("web", "npm run dev", "/workspace", Map.of());
 * String screen = t.read("web", 50);
 * t.sendKeys("web", "rs\n");
 * System.out.println(String.join(" ", t.attachCommand()));
 * }</pre>
 */
public interface Terminals {

    /**
     * Opens a window named {@code name} running {@code command} (through the user's shell) in
     * {@code workdir} with extra {@code env}. A name already in use is a
     * {@link dev.nightshift.api.ConflictException}.
     */
    TerminalInfo start(String name, String command, String workdir, Map<String, String> env);

    /** The windows, in creation order; empty when none was started. */
    List<TerminalInfo> list();

    /** The last {@code lines} lines the window shows (scrollback included), oldest first. */
    String read(String name, int lines);

    /**
     * Types {@code text} into the window literally; a {@code "\n"} presses Enter. Unknown
     * names are a {@link dev.nightshift.api.NotFoundException}.
     */
    void sendKeys(String name, String text);

    /** Stops the window's process and closes the window. Unknown names do nothing. */
    void stop(String name);

    /**
     * Makes sure the tmux session exists: when it does not, it is created with one shell window
     * named {@value #SHELL_WINDOW} in {@code workdir}. Idempotent.
     */
    void ensureSession(String workdir);

    /** The name of the shell window {@link #ensureSession} creates. */
    String SHELL_WINDOW = "shell";

    /**
     * Opens a window named {@code name} running a login shell as the machine's user in
     * {@code workdir}, creating the session if needed, or reuses the shell of that name (a shell
     * that was exited is started again). A terminal of that name is a
     * {@link dev.nightshift.api.ConflictException}.
     */
    void openShell(String name, String workdir);

    /**
     * The command a human runs on the host to attach with window {@code window} selected (a
     * shell from {@link #openShell} or a terminal).
     */
    List<String> attachCommand(String window);

    /** The name of the tmux session. */
    String sessionName();

    /**
     * The command a human runs on the host to take over, e.g.
     * {@code docker exec -it -u ubuntu <id> tmux attach -t nightshift}.
     */
    List<String> attachCommand();
}
