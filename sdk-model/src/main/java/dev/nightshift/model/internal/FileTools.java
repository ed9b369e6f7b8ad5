package dev.nightshift.model.internal;

import static dev.nightshift.model.internal.MachineFiles.FILE_OP_TIMEOUT;
import static dev.nightshift.model.internal.MachineFiles.GUARD;
import static dev.nightshift.model.internal.MachineFiles.WORKSPACE;
import static dev.nightshift.model.internal.MachineFiles.interrupted;
import static dev.nightshift.model.internal.MachineFiles.relative;
import static dev.nightshift.model.internal.MachineFiles.resolve;
import static dev.nightshift.model.internal.ToolArguments.bool;
import static dev.nightshift.model.internal.ToolArguments.integer;
import static dev.nightshift.model.internal.ToolArguments.string;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nightshift.api.AgentContext;
import dev.nightshift.api.runtime.ExecListener;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.model.internal.MachineFiles.BinaryFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The file tools of a model driver: read, write, edit and delete a file, list a directory, find
 * files by glob and search their contents, all inside the workspace through {@link MachineFiles}.
 *
 * <p><b>Thread-safety:</b> one instance per turn, used by the turn's thread only.
 */
final class FileTools {
    static final int DEFAULT_READ_LINES = 2000;
    static final int MAX_LIST = 1000;

    private final MachineFiles files;
    private final int maxOutputChars;

    FileTools(MachineFiles files, int maxOutputChars) {
        this.files = files;
        this.maxOutputChars = maxOutputChars;
    }

    ToolOutcome readFile(JsonNode a, AgentContext context) {
        String path = resolve(string(a, "path", true));
        int offset = Math.max(1, integer(a, "offset", 1));
        int limit = integer(a, "limit", DEFAULT_READ_LINES);
        if (limit < 1) {
            throw new ToolException("limit must be at least 1");
        }
        String text;
        try {
            text = files.readText(path, context);
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

    ToolOutcome writeFile(JsonNode a, AgentContext context) {
        String path = resolve(string(a, "path", true));
        String content = string(a, "content", true);
        files.write(path, content, context);
        return ToolOutcome.ok("wrote " + relative(path) + " (" + content.getBytes(StandardCharsets.UTF_8).length + " bytes)");
    }

    ToolOutcome editFile(JsonNode a, AgentContext context) {
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
            text = files.readText(path, context);
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
        files.write(path, updated, context);
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

    ToolOutcome deleteFile(JsonNode a, AgentContext context) {
        String path = resolve(string(a, "path", true));
        if (path.equals(WORKSPACE)) {
            throw new ToolException("refused: that is the workspace itself");
        }
        ExecResult r = files.sh(GUARD + "if [ -d \"$p\" ] && [ ! -L \"$p\" ]; then echo \"$1 is a directory\" >&2; exit 4; fi\n"
                + "if [ ! -e \"$p\" ] && [ ! -L \"$p\" ]; then echo \"no such file: $1\" >&2; exit 5; fi\nrm -f -- \"$p\"",
                List.of(path), null, FILE_OP_TIMEOUT, ExecListener.NONE, 64 * 1024, context);
        interrupted(r);
        if (!r.isSuccess()) {
            throw new ToolException((r.exitCode() == 3 ? "refused: " : "") + r.stderrTail().strip()
                    .replace(WORKSPACE + "/", ""));
        }
        return ToolOutcome.ok("deleted " + relative(path));
    }

    ToolOutcome listDir(JsonNode a, AgentContext context) {
        String given = string(a, "path", false);
        String path = resolve(given == null ? "." : given);
        ExecResult r = files.sh(GUARD + "[ -d \"$p\" ] || { echo \"not a directory: $1\" >&2; exit 4; }\n"
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

    ToolOutcome glob(JsonNode a, AgentContext context) {
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
        ExecResult r = files.sh(GUARD + "cd \"$p\" && find . -name .git -prune -o -type f -printf '%P\\n' | LC_ALL=C sort | head -n 100000",
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

    ToolOutcome grep(JsonNode a, AgentContext context) {
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
        ExecResult r = files.sh(script, List.of(path, pattern, include == null ? "" : include), null, FILE_OP_TIMEOUT, out,
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
}
