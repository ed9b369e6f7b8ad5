package dev.nightshift.model.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.nightshift.api.AgentContext;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.Registration;
import dev.nightshift.api.Session;
import dev.nightshift.api.Todo;
import dev.nightshift.api.runtime.ExecHandle;
import dev.nightshift.api.runtime.ExecListener;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.api.runtime.TerminalInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The tools of a model driver, acting inside the agent's machine as the session's user in
 * {@code /workspace}. Every path is checked twice: lexically here ({@code ..} may not leave the
 * workspace) and with {@code realpath} in the machine (a link may not lead out of it). File contents
 * are read with {@code Machine.readFile} after that check (so they are not recorded as command output);
 * writes go through {@code cat >} as the user, which keeps a file's mode.
 *
 * <p><b>Thread-safety:</b> one instance per turn, used by the turn's thread only.
 */
public final class WorkspaceTools implements Tools {
    public static final String WORKSPACE = Session.DEFAULT_WORKSPACE;
    static final int MAX_FILE_BYTES = 8 * 1024 * 1024;
    static final int DEFAULT_READ_LINES = 2000;
    static final int MAX_LIST = 1000;
    private static final Duration FILE_OP_TIMEOUT = Duration.ofSeconds(60);
    /** Prints "TYPE SIZE REALPATH" of $1, or exits 3 when it leads outside the workspace. */
    private static final String GUARD = "p=$(realpath -m -- \"$1\") || exit 3\n"
            + "case \"$p\" in " + WORKSPACE + "|" + WORKSPACE + "/*) ;; *) echo \"$1 leads outside " + WORKSPACE
            + " (to $p)\" >&2; exit 3;; esac\n";

    private final Session session;
    private final Duration defaultCommandTimeout;
    private final Duration maxCommandTimeout;
    private final int maxOutputChars;
    private final Map<String, Todo> todos = new LinkedHashMap<>();
    private int backgroundCount;

    public WorkspaceTools(Session session, Duration defaultCommandTimeout, Duration maxCommandTimeout,
            int maxOutputChars) {
        this.session = session;
        this.defaultCommandTimeout = defaultCommandTimeout;
        this.maxCommandTimeout = maxCommandTimeout;
        this.maxOutputChars = maxOutputChars;
    }

    @Override
    public List<ToolSpecification> specifications() {
        List<ToolSpecification> s = new ArrayList<>();
        s.add(spec("read_file", "Read a text file of the workspace with line numbers. Large files come in pages:"
                + " pass offset (first line, 1-based) and limit (number of lines) to read more.",
                JsonObjectSchema.builder().addStringProperty("path", "path relative to /workspace (or absolute inside it)")
                        .addIntegerProperty("offset", "first line to read, 1-based (default 1)")
                        .addIntegerProperty("limit", "how many lines (default " + DEFAULT_READ_LINES + ")")
                        .required("path").build()));
        s.add(spec("write_file", "Create or overwrite a file with the given content (parent directories are created).",
                JsonObjectSchema.builder().addStringProperty("path").addStringProperty("content").required("path", "content")
                        .build()));
        s.add(spec("edit_file", "Replace old_string with new_string in a file. old_string must match exactly once"
                + " (whitespace included) unless replace_all is true; include enough surrounding lines to make it unique.",
                JsonObjectSchema.builder().addStringProperty("path").addStringProperty("old_string")
                        .addStringProperty("new_string").addBooleanProperty("replace_all", "replace every occurrence")
                        .required("path", "old_string", "new_string").build()));
        s.add(spec("delete_file", "Delete a file (not a directory).",
                JsonObjectSchema.builder().addStringProperty("path").required("path").build()));
        s.add(spec("list_dir", "List a directory: one entry per line as 'd name/' or 'f name (size bytes)'.",
                JsonObjectSchema.builder().addStringProperty("path", "directory (default: the workspace root)").build()));
        s.add(spec("glob", "Find files whose path relative to the search directory matches a glob such as '**/*.java'.",
                JsonObjectSchema.builder().addStringProperty("pattern").addStringProperty("path", "directory to search (default .)")
                        .required("pattern").build()));
        s.add(spec("grep", "Search file contents for a regular expression; prints file:line:text.",
                JsonObjectSchema.builder().addStringProperty("pattern", "regular expression")
                        .addStringProperty("path", "file or directory (default .)")
                        .addStringProperty("include", "only files matching this glob, e.g. *.ts")
                        .addBooleanProperty("case_insensitive").required("pattern").build()));
        s.add(spec("run_terminal_cmd", "Run a shell command (bash -lc) in /workspace and return its output and exit code."
                + " With background true it starts in a new terminal (a tmux window a human can watch) and returns at once;"
                + " read its output later with read_terminal.",
                JsonObjectSchema.builder().addStringProperty("command")
                        .addIntegerProperty("timeout_seconds", "default " + defaultCommandTimeout.toSeconds()
                                + ", at most " + maxCommandTimeout.toSeconds())
                        .addBooleanProperty("background", "start it in its own terminal and return at once")
                        .required("command").build()));
        s.add(spec("read_terminal", "Read the recent output of a terminal (the environment's or one started in the background).",
                JsonObjectSchema.builder().addStringProperty("name", "terminal name")
                        .addIntegerProperty("lines", "how many recent lines (default 200)").required("name").build()));
        s.add(spec("todo_write", "Write the checklist for this task. Each todo has id, content and status"
                + " (pending, in_progress, completed, cancelled). merge true updates the given ids and keeps the others.",
                JsonObjectSchema.builder()
                        .addProperty("todos", JsonArraySchema.builder().items(JsonObjectSchema.builder()
                                .addStringProperty("id").addStringProperty("content")
                                .addEnumProperty("status", List.of("pending", "in_progress", "completed", "cancelled"))
                                .required("id", "content", "status").build()).build())
                        .addBooleanProperty("merge").required("todos").build()));
        return s;
    }

    private static ToolSpecification spec(String name, String description, JsonObjectSchema parameters) {
        return ToolSpecification.builder().name(name).description(description).parameters(parameters).build();
    }

    @Override
    public ToolOutcome run(String name, JsonNode a, AgentContext context) {
        switch (name) {
            case "read_file": return readFile(a, context);
            case "write_file": return writeFile(a, context);
            case "edit_file": return editFile(a, context);
            case "delete_file": return deleteFile(a, context);
            case "list_dir": return listDir(a, context);
            case "glob": return glob(a, context);
            case "grep": return grep(a, context);
            case "run_terminal_cmd": return runCommand(a, context);
            case "read_terminal": return readTerminal(a);
            case "todo_write": return todoWrite(a, context);
            default:
                throw new ToolException("unknown tool '" + name + "'; the tools are: "
                        + specifications().stream().map(ToolSpecification::name).collect(Collectors.joining(", ")));
        }
    }

    // ------------------------------------------------------------------ arguments

    static String string(JsonNode a, String field, boolean required) {
        JsonNode n = a.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw new ToolException("missing argument '" + field + "'");
            }
            return null;
        }
        if (!n.isTextual()) {
            throw new ToolException("argument '" + field + "' must be a string, not " + n.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        return n.asText();
    }

    static int integer(JsonNode a, String field, int dflt) {
        JsonNode n = a.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (n.isTextual() && n.asText().matches("-?\\d{1,9}")) {
            return Integer.parseInt(n.asText());
        }
        if (!n.canConvertToInt()) {
            throw new ToolException("argument '" + field + "' must be an integer");
        }
        return n.asInt();
    }

    static boolean bool(JsonNode a, String field) {
        JsonNode n = a.get(field);
        return n != null && (n.asBoolean() || "true".equalsIgnoreCase(n.asText()));
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

    private static String relative(String absolute) {
        return absolute.equals(WORKSPACE) ? "." : absolute.substring(WORKSPACE.length() + 1);
    }

    // ------------------------------------------------------------------ machine

    private ExecResult sh(String script, List<String> args, byte[] stdin, Duration timeout, ExecListener listener,
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

    private static void interrupted(ExecResult r) {
        if (r.outcome() == ExecResult.Outcome.CANCELLED) {
            throw new ToolInterruptedException();
        }
    }

    private String readText(String absolute, AgentContext context) {
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

    private static final class BinaryFile extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BinaryFile(String message) {
            super(message, null, false, false);
        }
    }

    private void write(String absolute, String content, AgentContext context) {
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

    // ------------------------------------------------------------------ tools

    private ToolOutcome readFile(JsonNode a, AgentContext context) {
        String path = resolve(string(a, "path", true));
        int offset = Math.max(1, integer(a, "offset", 1));
        int limit = integer(a, "limit", DEFAULT_READ_LINES);
        if (limit < 1) {
            throw new ToolException("limit must be at least 1");
        }
        String text;
        try {
            text = readText(path, context);
        } catch (BinaryFile b) {
            return ToolOutcome.ok(b.getMessage());
        }
        if (text.isEmpty()) {
            return ToolOutcome.ok("[" + relative(path) + " is empty]");
        }
        String[] lines = text.split("\n", -1);
        int total = text.endsWith("\n") ? lines.length - 1 : lines.length;
        if (offset > total) {
            throw new ToolException(relative(path) + " has " + total + " lines; offset " + offset + " is past its end");
        }
        StringBuilder b = new StringBuilder();
        int end = Math.min(total, offset - 1 + limit);
        int i = offset - 1;
        for (; i < end; i++) {
            String line = String.format(Locale.ROOT, "%6d\t%s%n", i + 1, lines[i]);
            if (b.length() + line.length() > maxOutputChars && i > offset - 1) {
                break;
            }
            b.append(line);
        }
        if (i < total) {
            b.append("[lines ").append(offset).append('-').append(i).append(" of ").append(total)
                    .append("; call read_file with offset=").append(i + 1).append(" for more]\n");
        }
        return ToolOutcome.ok(b.toString());
    }

    private ToolOutcome writeFile(JsonNode a, AgentContext context) {
        String path = resolve(string(a, "path", true));
        String content = string(a, "content", true);
        write(path, content, context);
        return ToolOutcome.ok("wrote " + relative(path) + " (" + content.getBytes(StandardCharsets.UTF_8).length + " bytes)");
    }

    private ToolOutcome editFile(JsonNode a, AgentContext context) {
        String path = resolve(string(a, "path", true));
        String oldString = string(a, "old_string", true);
        String newString = string(a, "new_string", true);
        boolean all = bool(a, "replace_all");
        if (oldString.isEmpty()) {
            throw new ToolException("old_string must not be empty (use write_file to create a file)");
        }
        if (oldString.equals(newString)) {
            throw new ToolException("old_string and new_string are the same: nothing to change");
        }
        String text;
        try {
            text = readText(path, context);
        } catch (BinaryFile b) {
            throw new ToolException(b.getMessage() + ": edit_file edits text files only");
        }
        List<Integer> at = new ArrayList<>();
        for (int i = text.indexOf(oldString); i >= 0; i = text.indexOf(oldString, i + oldString.length())) {
            at.add(i);
        }
        if (at.isEmpty()) {
            throw new ToolException("old_string was not found in " + relative(path) + ". The nearest lines:\n"
                    + Nearest.lines(text, oldString));
        }
        if (at.size() > 1 && !all) {
            throw new ToolException("old_string matches " + at.size() + " times in " + relative(path) + " (at lines "
                    + at.stream().map(i -> String.valueOf(lineOf(text, i))).collect(Collectors.joining(", "))
                    + "); include more surrounding lines to make it unique, or set replace_all");
        }
        String updated = all ? text.replace(oldString, newString)
                : text.substring(0, at.get(0)) + newString + text.substring(at.get(0) + oldString.length());
        write(path, updated, context);
        return ToolOutcome.ok("edited " + relative(path) + ": " + (all ? at.size() + " replacements" : "1 replacement")
                + " at line " + lineOf(text, at.get(0)));
    }

    static int lineOf(String text, int index) {
        int line = 1;
        for (int i = 0; i < index; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private ToolOutcome deleteFile(JsonNode a, AgentContext context) {
        String path = resolve(string(a, "path", true));
        if (path.equals(WORKSPACE)) {
            throw new ToolException("refused: that is the workspace itself");
        }
        ExecResult r = sh(GUARD + "if [ -d \"$p\" ] && [ ! -L \"$p\" ]; then echo \"$1 is a directory\" >&2; exit 4; fi\n"
                + "if [ ! -e \"$p\" ] && [ ! -L \"$p\" ]; then echo \"no such file: $1\" >&2; exit 5; fi\nrm -f -- \"$p\"",
                List.of(path), null, FILE_OP_TIMEOUT, ExecListener.NONE, 64 * 1024, context);
        interrupted(r);
        if (!r.isSuccess()) {
            throw new ToolException((r.exitCode() == 3 ? "refused: " : "") + r.stderrTail().strip()
                    .replace(WORKSPACE + "/", ""));
        }
        return ToolOutcome.ok("deleted " + relative(path));
    }

    private ToolOutcome listDir(JsonNode a, AgentContext context) {
        String given = string(a, "path", false);
        String path = resolve(given == null ? "." : given);
        ExecResult r = sh(GUARD + "[ -d \"$p\" ] || { echo \"not a directory: $1\" >&2; exit 4; }\n"
                + "find \"$p\" -mindepth 1 -maxdepth 1 -not -name .git -printf '%y %s %f\\n' | LC_ALL=C sort -k3 | head -n "
                + (MAX_LIST + 1), List.of(path), null, FILE_OP_TIMEOUT, ExecListener.NONE, 1024 * 1024, context);
        interrupted(r);
        if (!r.isSuccess()) {
            throw new ToolException((r.exitCode() == 3 ? "refused: " : "") + r.stderrTail().strip());
        }
        StringBuilder b = new StringBuilder();
        String[] lines = r.stdoutTail().split("\n");
        int n = 0;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            if (++n > MAX_LIST) {
                b.append("[more entries not listed]\n");
                break;
            }
            String[] f = line.split(" ", 3);
            b.append(f[0].equals("d") ? "d " + f[2] + "/" : "f " + f[2] + " (" + f[1] + " bytes)").append('\n');
        }
        return ToolOutcome.ok(n == 0 ? "[" + relative(path) + " is empty]" : b.toString());
    }

    private ToolOutcome glob(JsonNode a, AgentContext context) {
        String pattern = string(a, "pattern", true);
        String given = string(a, "path", false);
        String path = resolve(given == null ? "." : given);
        PathMatcher matcher;
        try {
            matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        } catch (IllegalArgumentException e) {
            throw new ToolException("bad glob '" + pattern + "': " + e.getMessage());
        }
        PathMatcher anyDepth = pattern.startsWith("**/")
                ? FileSystems.getDefault().getPathMatcher("glob:" + pattern.substring(3)) : null;
        ExecResult r = sh(GUARD + "cd \"$p\" && find . -name .git -prune -o -type f -printf '%P\\n' | LC_ALL=C sort | head -n 100000",
                List.of(path), null, FILE_OP_TIMEOUT, ExecListener.NONE, 16 * 1024 * 1024, context);
        interrupted(r);
        if (!r.isSuccess()) {
            throw new ToolException((r.exitCode() == 3 ? "refused: " : "") + r.stderrTail().strip());
        }
        List<String> hits = new ArrayList<>();
        for (String f : r.stdoutTail().split("\n")) {
            if (!f.isEmpty() && (matcher.matches(Path.of(f)) || anyDepth != null && anyDepth.matches(Path.of(f)))) {
                hits.add(f);
            }
        }
        if (hits.isEmpty()) {
            return ToolOutcome.ok("no files match " + pattern);
        }
        String listed = hits.stream().limit(MAX_LIST).collect(Collectors.joining("\n"));
        return ToolOutcome.ok(listed + (hits.size() > MAX_LIST ? "\n[" + (hits.size() - MAX_LIST) + " more not listed]" : ""));
    }

    private ToolOutcome grep(JsonNode a, AgentContext context) {
        String pattern = string(a, "pattern", true);
        String given = string(a, "path", false);
        String path = resolve(given == null ? "." : given);
        String include = string(a, "include", false);
        boolean ci = bool(a, "case_insensitive");
        String script = GUARD + "pat=$2; inc=$3\n"
                + "if command -v rg >/dev/null 2>&1; then\n"
                + "  rg -n --no-heading --color never " + (ci ? "-i " : "") + "${inc:+-g \"$inc\"} -e \"$pat\" -- \"$p\"\n"
                + "else\n"
                + "  grep -rnIE " + (ci ? "-i " : "") + "--exclude-dir=.git ${inc:+--include=\"$inc\"} -e \"$pat\" -- \"$p\"\n"
                + "fi";
        Capture out = new Capture(maxOutputChars);
        ExecResult r = sh(script, List.of(path, pattern, include == null ? "" : include), null, FILE_OP_TIMEOUT, out,
                1024, context);
        interrupted(r);
        if (r.exitCode() == 3) {
            throw new ToolException("refused: " + r.stderrTail().strip());
        }
        if (r.exitCode() == 1) {
            return ToolOutcome.ok("no matches for " + pattern);
        }
        if (!r.isSuccess()) {
            throw new ToolException("grep failed: " + String.join(" ", r.lastLines(3)));
        }
        return ToolOutcome.ok(out.text().replace(WORKSPACE + "/", ""));
    }

    private ToolOutcome runCommand(JsonNode a, AgentContext context) {
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

    private ToolOutcome readTerminal(JsonNode a) {
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

    private ToolOutcome todoWrite(JsonNode a, AgentContext context) {
        JsonNode list = a.get("todos");
        if (list == null || !list.isArray()) {
            throw new ToolException("argument 'todos' must be an array of {id, content, status}");
        }
        if (!bool(a, "merge")) {
            todos.clear();
        }
        for (JsonNode t : list) {
            String id = string(t, "id", true);
            Todo old = todos.get(id);
            String content = string(t, "content", old == null);
            String status = string(t, "status", old == null);
            Todo.Status s;
            try {
                s = status == null ? old.status() : Todo.Status.valueOf(status.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ToolException("status must be pending, in_progress, completed or cancelled, not " + status);
            }
            todos.put(id, new Todo(id, content == null ? old.content() : content, s));
        }
        List<Todo> now = List.copyOf(todos.values());
        context.updateTodos(now);
        return ToolOutcome.ok(now.stream().map(t -> "[" + t.status().name().toLowerCase(Locale.ROOT) + "] " + t.content())
                .collect(Collectors.joining("\n")));
    }
}
