package dev.nightshift.api.runtime;

import java.util.List;
import java.util.Map;

/**
 * The terminals of one machine: one tmux session, one window per terminal, shared by the agent
 * and a human who takes over.
 *
 * <p><b>Thread-safety:</b> thread-safe. <b>Lifecycle:</b> as long as its machine; the tmux
 * session is created by the first {@link #start}.
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

    /** The name of the tmux session. */
    String sessionName();

    /**
     * The command a human runs on the host to take over, e.g.
     * {@code docker exec -it -u ubuntu <id> tmux attach -t nightshift}.
     */
    List<String> attachCommand();
}
