package dev.nightshift.model.internal;

import dev.nightshift.api.AgentContext;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.Session;
import dev.nightshift.api.runtime.ExecListener;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.api.runtime.PortMapping;
import dev.nightshift.api.runtime.TerminalInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The system prompt of a turn: where the agent is (repository, branch, workspace, user, terminals,
 * ports) and the repository's own instructions, the files Cursor's agents read: {@code AGENTS.md} at
 * the root, and {@code .cursor/rules/*.mdc}, whose rules with {@code alwaysApply: true} are inlined and
 * the others listed by description (the model reads one with {@code read_file} when it applies).
 * Everything read from the repository is redacted.
 */
public final class SystemPrompt {
    static final int MAX_FILE_CHARS = 20_000;
    /** Lists the instruction files, each as its real path inside the workspace (links leading out are skipped). */
    private static final String LIST = "cd /workspace || exit 0\n"
            + "for f in AGENTS.md .cursor/rules/*.mdc; do\n"
            + "  [ -f \"$f\" ] || continue\n"
            + "  r=$(realpath -- \"$f\") || continue\n"
            + "  case \"$r\" in /workspace/*) printf '%s\\t%s\\n' \"$f\" \"$r\";; esac\n"
            + "done";

    private SystemPrompt() {
    }

    public static String build(AgentContext context) {
        Session s = context.session();
        StringBuilder b = new StringBuilder();
        b.append("You are a coding agent working autonomously in a remote machine, in the git repository checked out at ")
                .append(s.workspace()).append(" on branch ").append(s.branch()).append(" (as user ").append(s.user())
                .append(").");
        context.request().ifPresent(r -> b.append(" The repository comes from ").append(r.repository()).append('.'));
        b.append("\nDo the task with the tools: read and search the code, edit files, run commands and tests,"
                + " read their errors and fix them, until the work is done. Do not ask the user questions: nobody"
                + " answers until you finish. Your work is committed and pushed for you after your final answer;"
                + " you need not commit. When done, answer without calling a tool: your answer is the summary of"
                + " what you did, shown to the user.\n");
        try {
            List<TerminalInfo> terminals = s.machine().terminals().list();
            if (!terminals.isEmpty()) {
                b.append("\nTerminals of the environment (tmux windows; read one with read_terminal):\n");
                for (TerminalInfo t : terminals) {
                    b.append("- ").append(t.name()).append(": ").append(t.command()).append(t.running() ? "" : " (exited)")
                            .append('\n');
                }
            }
            List<PortMapping> ports = s.machine().ports();
            if (!ports.isEmpty()) {
                b.append("\nPorts the environment publishes: ");
                for (PortMapping p : ports) {
                    b.append(p.machinePort()).append(' ');
                }
                b.append('\n');
            }
        } catch (RuntimeException e) {
            // a machine without terminals or ports: nothing to say
        }
        instructions(context, b);
        return context.redact(b.toString());
    }

    private static void instructions(AgentContext context, StringBuilder b) {
        Session s = context.session();
        ExecResult r = s.machine().exec(ExecRequest.builder("bash", "-c", LIST).user(s.user())
                .timeout(Duration.ofSeconds(30)).listener(ExecListener.NONE).build()).await();
        if (!r.isSuccess() || r.stdoutTail().isBlank()) {
            return;
        }
        List<String> always = new ArrayList<>();
        List<String> listed = new ArrayList<>();
        for (String line : r.stdoutTail().split("\n")) {
            String[] f = line.split("\t", 2);
            if (f.length < 2) {
                continue;
            }
            String text;
            try {
                text = new String(s.machine().readFile(f[1]), StandardCharsets.UTF_8);
            } catch (NotFoundException e) {
                continue;
            }
            text = Output.cut(text, MAX_FILE_CHARS);
            if (f[0].equals("AGENTS.md")) {
                b.append("\nThe repository's instructions (AGENTS.md):\n").append(text.strip()).append('\n');
                continue;
            }
            Rule rule = Rule.parse(text);
            if (rule.alwaysApply()) {
                always.add("Rule " + f[0] + ":\n" + rule.body().strip());
            } else {
                listed.add("- " + f[0] + (rule.description().isEmpty() ? "" : ": " + rule.description())
                        + (rule.globs().isEmpty() ? "" : " (files: " + rule.globs() + ")"));
            }
        }
        if (!always.isEmpty()) {
            b.append("\nRules of the repository that always apply:\n").append(String.join("\n\n", always)).append('\n');
        }
        if (!listed.isEmpty()) {
            b.append("\nOther rules of the repository (read one with read_file when it applies):\n")
                    .append(String.join("\n", listed)).append('\n');
        }
    }

    /** A Cursor rule file: front matter ({@code description}, {@code globs}, {@code alwaysApply}) and body. */
    record Rule(String description, String globs, boolean alwaysApply, String body) {
        static Rule parse(String text) {
            String description = "";
            String globs = "";
            boolean always = false;
            String body = text;
            String normalized = text.replace("\r\n", "\n");
            if (normalized.startsWith("---\n")) {
                int end = normalized.indexOf("\n---", 4);
                if (end > 0) {
                    for (String line : normalized.substring(4, end).split("\n")) {
                        int colon = line.indexOf(':');
                        if (colon < 0) {
                            continue;
                        }
                        String key = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                        String value = unquote(line.substring(colon + 1).strip());
                        switch (key) {
                            case "description" -> description = value;
                            case "globs" -> globs = value;
                            case "alwaysapply" -> always = value.equalsIgnoreCase("true");
                            default -> { }
                        }
                    }
                    int bodyStart = normalized.indexOf('\n', end + 4);
                    body = bodyStart < 0 ? "" : normalized.substring(bodyStart + 1);
                }
            }
            return new Rule(description, globs, always, body);
        }

        private static String unquote(String v) {
            return v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))
                    ? v.substring(1, v.length() - 1) : v;
        }
    }
}
