package dev.nightshift.model.internal;

import dev.nightshift.api.AgentContext;
import dev.nightshift.api.Registration;
import dev.nightshift.api.Session;
import dev.nightshift.api.runtime.ExecHandle;
import dev.nightshift.api.runtime.ExecListener;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The tools' way into the agent's machine, as the session's user in {@code /workspace}. Every
 * path is checked twice: lexically ({@link #resolve}: {@code ..} may not leave the workspace) and
 * with {@code realpath} in the machine ({@link #GUARD}: a link may not lead out of it). File contents
 * are read with {@code Machine.readFile} after that check (so they are not recorded as command output);
 * writes go through {@code cat >} as the user, which keeps a file's mode.
 *
 * <p><b>Thread-safety:</b> one instance per turn, used by the turn's thread only.
 */
final class MachineFiles {
    static final String WORKSPACE = Session.DEFAULT_WORKSPACE;
    static final int MAX_FILE_BYTES = 8 * 1024 * 1024;
    static final Duration FILE_OP_TIMEOUT = Duration.ofSeconds(60);
    /** Prints "TYPE SIZE REALPATH" of $1, or exits 3 when it leads outside the workspace. */
    static final String GUARD = "p=$(realpath -m -- \"$1\") || exit 3\n"
            + "case \"$p\" in " + WORKSPACE + "|" + WORKSPACE + "/*) ;; *) echo \"$1 leads outside " + WORKSPACE
            + " (to $p)\" >&2; exit 3;; esac\n";

    private final Session session;

    MachineFiles(Session session) {
        this.session = session;
    }

    /** The absolute path inside the workspace that {@code path} names; refused when it leaves it. */
    static String resolve(String path) {
        if (path == null || path.isBlank()) {
            throw new ToolException("path must not be empty");
        }
        if (path.indexOf('\0') >= 0) {
            throw new ToolException("path contains a NUL character");
        }
        String p = Path.of(path.startsWith("/") ? path : WORKSPACE + "/" + path).normalize().toString();
        if (!p.equals(WORKSPACE) && !p.startsWith(WORKSPACE + "/")) {
            throw new ToolException("refused: " + path + " is outside " + WORKSPACE + "; tools act only inside the workspace");
        }
        return p;
    }

    static String relative(String absolute) {
        return absolute.equals(WORKSPACE) ? "." : absolute.substring(WORKSPACE.length() + 1);
    }

    /** Runs {@code script} with bash as the session's user in the workspace; an interrupt cancels it. */
    ExecResult sh(String script, List<String> args, byte[] stdin, Duration timeout, ExecListener listener,
            int tailBytes, AgentContext context) {
        List<String> argv = new ArrayList<>(List.of("bash", "-c", script, "nightshift-tool"));
        argv.addAll(args);
        ExecHandle h = session.machine().exec(ExecRequest.builder(argv).workdir(WORKSPACE).user(session.user())
                .stdin(stdin).timeout(timeout).listener(listener).tailBytes(tailBytes).build());
        try (Registration r = context.onInterrupt(h::cancel)) {
            return h.await();
        }
    }

    /** Checks {@code absolute} in the machine; returns {type, size, real path}. */
    private String[] stat(String absolute, AgentContext context) {
        ExecResult r = sh(GUARD + "if [ -e \"$p\" ]; then printf '%s %s %s' \"$(stat -c %F -- \"$p\")\" "
                + "\"$(stat -c %s -- \"$p\")\" \"$p\"; else printf 'missing 0 %s' \"$p\"; fi",
                List.of(absolute), null, FILE_OP_TIMEOUT, ExecListener.NONE, 64 * 1024, context);
        interrupted(r);
        if (r.exitCode() == 3) {
            throw new ToolException("refused: " + r.stderrTail().strip());
        }
        if (!r.isSuccess()) {
            throw new ToolException("cannot inspect " + relative(absolute) + ": " + String.join(" ", r.lastLines(3)));
        }
        String out = r.stdoutTail();
        int last = out.lastIndexOf(' ');
        int prev = out.lastIndexOf(' ', last - 1);
        return new String[] {out.substring(0, prev), out.substring(prev + 1, last), out.substring(last + 1)};
    }

    /** Throws {@link ToolInterruptedException} when {@code r} was cancelled. */
    static void interrupted(ExecResult r) {
        if (r.outcome() == ExecResult.Outcome.CANCELLED) {
            throw new ToolInterruptedException();
        }
    }

    /**
     * The text of the regular file {@code absolute}, checked in the machine first.
     *
     * @throws BinaryFile when it is not text
     */
    String readText(String absolute, AgentContext context) {
        String[] st = stat(absolute, context);
        if (st[0].equals("missing")) {
            throw new ToolException("no such file: " + relative(absolute));
        }
        if (st[0].equals("directory")) {
            throw new ToolException(relative(absolute) + " is a directory; use list_dir");
        }
        if (!st[0].startsWith("regular")) {
            throw new ToolException(relative(absolute) + " is not a regular file (" + st[0] + ")");
        }
        long size = Long.parseLong(st[1]);
        if (size > MAX_FILE_BYTES) {
            throw new ToolException(relative(absolute) + " has " + size + " bytes, more than " + MAX_FILE_BYTES
                    + "; look at parts of it with run_terminal_cmd (head, sed -n, grep)");
        }
        byte[] bytes = session.machine().readFile(st[2]);
        if (Output.isBinary(bytes, bytes.length)) {
            throw new BinaryFile(Output.describeBinary("file " + relative(absolute), bytes.length));
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A file that is not text: its message describes it for the model. */
    static final class BinaryFile extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BinaryFile(String message) {
            super(message, null, false, false);
        }
    }

    /** Writes {@code content} to {@code absolute} (parents created), checked in the machine first. */
    void write(String absolute, String content, AgentContext context) {
        ExecResult r = sh(GUARD + "if [ -d \"$p\" ]; then echo \"$1 is a directory\" >&2; exit 4; fi\n"
                + "mkdir -p -- \"$(dirname -- \"$p\")\" && cat > \"$p\"", List.of(absolute),
                content.getBytes(StandardCharsets.UTF_8), FILE_OP_TIMEOUT, ExecListener.NONE, 64 * 1024, context);
        interrupted(r);
        if (r.exitCode() == 3) {
            throw new ToolException("refused: " + r.stderrTail().strip());
        }
        if (!r.isSuccess()) {
            throw new ToolException("cannot write " + relative(absolute) + ": " + String.join(" ", r.lastLines(3)));
        }
    }
}
