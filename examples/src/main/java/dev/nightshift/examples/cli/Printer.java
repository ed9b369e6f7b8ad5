package dev.nightshift.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.Todo;
import dev.nightshift.api.TokenUsage;
import dev.nightshift.api.Usage;
import dev.nightshift.api.runtime.PortMapping;
import dev.nightshift.common.DaemonThreads;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Output for people (tables, colours only on a terminal) or for scripts (one JSON object per line).
 *
 * <p><b>Thread-safety:</b> methods are synchronized (events arrive on listener threads).
 * <b>Lifecycle:</b> one per command.
 */
final class Printer {
    static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule()).addModule(new Jdk8Module())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();

    private final PrintStream out;
    private final boolean json;
    private final boolean colour;

    Printer(PrintStream out, boolean json) {
        this.out = out;
        this.json = json;
        this.colour = !json && System.console() != null && System.getenv("NO_COLOR") == null;
    }

    boolean json() {
        return json;
    }

    synchronized void line(String text) {
        if (!json) {
            out.println(text);
        }
    }

    synchronized void object(Map<String, ?> values) {
        try {
            out.println(JSON.writeValueAsString(values));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Stored entries (secrets, git credentials; never their values): with {@code --json} one object
     * per entry, else a header and a row per entry, both in {@code format}, or the line {@code none}
     * when there are no entries.
     */
    synchronized <T> void entries(List<T> entries, Function<T, Map<String, Object>> object, String none,
            String format, Function<T, Object[]> cells, Object... header) {
        if (json) {
            entries.forEach(e -> object(object.apply(e)));
        } else if (entries.isEmpty()) {
            line(none);
        } else {
            line(String.format(format, header));
            entries.forEach(e -> line(String.format(format, cells.apply(e))));
        }
    }

    /** One agent, as a block for people or a JSON object. */
    synchronized void agent(AgentInfo a) {
        agent(a, List.of());
    }

    /** One agent, with the machine's published ports (machine port to host address and port). */
    synchronized void agent(AgentInfo a, List<PortMapping> ports) {
        if (json) {
            Map<String, Object> m = agentMap(a);
            List<Map<String, Object>> list = new ArrayList<>();
            for (PortMapping p : ports) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("machinePort", p.machinePort());
                one.put("hostAddress", p.hostAddress());
                one.put("hostPort", p.hostPort());
                list.add(one);
            }
            m.put("ports", list);
            object(m);
            return;
        }
        out.println(bold(a.id()) + "  " + status(a.status().name()) + flags(a));
        row("repository", a.request().repository() + a.request().ref().map(r -> " @ " + r).orElse(""));
        row("branch", a.branch().orElse(null));
        row("commit", a.commit().orElse(null));
        row("summary", a.summary().orElse(null));
        row("error", a.error().orElse(null));
        row("machine", a.machineId().orElse(null));
        row("model", a.request().model().orElse(null));
        if (!ports.isEmpty()) {
            StringBuilder b = new StringBuilder();
            for (PortMapping p : ports) {
                b.append(b.length() == 0 ? "" : ", ").append(p.machinePort()).append(" -> http://")
                        .append(p.hostAddress()).append(':').append(p.hostPort());
            }
            row("ports", b.toString());
        }
        row("usage", String.format(Locale.ROOT, "%.1f machine seconds", a.usage().totalMachineSeconds()));
        row("tokens", tokens(a.usage()));
        row("created", a.createdAt().toString());
        row("updated", a.updatedAt().toString());
    }

    static Map<String, Object> agentMap(AgentInfo a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("agentId", a.id());
        m.put("status", a.status().name());
        m.put("repository", a.request().repository());
        m.put("ref", a.request().ref().orElse(null));
        m.put("branch", a.branch().orElse(null));
        m.put("commit", a.commit().orElse(null));
        m.put("summary", a.summary().orElse(null));
        m.put("error", a.error().orElse(null));
        m.put("machineId", a.machineId().orElse(null));
        m.put("hibernated", a.hibernated());
        m.put("takenOver", a.takenOver());
        m.put("model", a.request().model().orElse(null));
        m.put("machineSeconds", a.usage().totalMachineSeconds());
        m.put("inputTokens", a.usage().inputTokens());
        m.put("outputTokens", a.usage().outputTokens());
        m.put("cacheReadTokens", a.usage().cacheReadTokens());
        m.put("cacheWriteTokens", a.usage().cacheWriteTokens());
        m.put("cost", a.usage().cost());
        m.put("lastSequence", a.lastSequence());
        m.put("createdAt", a.createdAt().toString());
        m.put("updatedAt", a.updatedAt().toString());
        return m;
    }

    /** A table of agents. */
    synchronized void agents(List<AgentInfo> agents, Instant now) {
        if (json) {
            agents.forEach(a -> object(agentMap(a)));
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "STATUS", "AGE", "BRANCH", "REPOSITORY"});
        for (AgentInfo a : agents) {
            rows.add(new String[] {a.id(), a.status().name() + flags(a), age(Duration.between(a.createdAt(), now)),
                    a.branch().orElse("-"), a.request().repository()});
        }
        int[] w = new int[5];
        rows.forEach(r -> {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        });
        for (int n = 0; n < rows.size(); n++) {
            String[] r = rows.get(n);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                String cell = i == r.length - 1 ? r[i] : String.format("%-" + w[i] + "s  ", r[i]);
                sb.append(n == 0 ? bold(cell) : i == 1 ? status(cell) : cell);
            }
            out.println(sb.toString().stripTrailing());
        }
        if (agents.isEmpty()) {
            out.println("(no agents)");
        }
    }

    /** One event: a line for people, a JSON object for scripts. */
    synchronized void event(AgentEvent e) {
        if (json) {
            try {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("type", e.getClass().getSimpleName());
                m.putAll(JSON.convertValue(e, Map.class));
                out.println(JSON.writeValueAsString(m));
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
            return;
        }
        String seq = dim(String.format("%5d ", e.sequence()));
        if (e instanceof AgentEvent.StatusChanged s) {
            out.println(seq + "==> " + status(s.to().name()) + (s.reason() == null ? "" : "  " + s.reason()));
        } else if (e instanceof AgentEvent.BuildOutput b) {
            out.println(seq + "build | " + b.line());
        } else if (e instanceof AgentEvent.CommandStarted c) {
            out.println(seq + c.phase() + " $ " + firstLine(c.command()));
        } else if (e instanceof AgentEvent.CommandOutput o) {
            out.println(seq + o.phase() + " | " + o.line());
        } else if (e instanceof AgentEvent.CommandFinished f) {
            out.println(seq + f.phase() + " exited " + f.exitCode());
        } else if (e instanceof AgentEvent.MessageAdded m) {
            // Tool results show as their ToolCallFinished line; an assistant message that only
            // asks for tools has no text.
            if (m.message().type() != ConversationMessage.Type.TOOL_RESULT && !m.message().text().isBlank()) {
                out.println(seq + m.message().type().name().toLowerCase(Locale.ROOT).replace("_message", "") + ": "
                        + firstLine(m.message().text()));
            }
        } else if (e instanceof AgentEvent.Warning w) {
            out.println(seq + yellow("warning") + " [" + w.code() + "] " + w.message());
        } else if (e instanceof AgentEvent.HandedOff h) {
            out.println(seq + "==> branch " + h.branch() + " at " + h.commit() + (h.pushed() ? " pushed" : " (not pushed)"));
        } else if (e instanceof AgentEvent.TakeOverChanged t) {
            out.println(seq + "==> " + (t.takenOver() ? "taken over by a human" : "handed back"));
        } else if (e instanceof AgentEvent.MachineChanged m) {
            out.println(seq + "machine " + m.change() + " " + m.machineId());
        } else if (e instanceof AgentEvent.ToolCallFinished t) {
            out.println(seq + toolLine(t));
        } else if (e instanceof AgentEvent.TodosUpdated t) {
            out.println(seq + "todos");
            for (Todo todo : t.todos()) {
                out.println("        " + todoMark(todo.status()) + " " + firstLine(todo.content()));
            }
        } else if (e instanceof AgentEvent.ModelUsageReported u) {
            TokenUsage t = u.usage();
            out.println(seq + dim(String.format(Locale.ROOT, "model %s: %d in%s / %d out tokens%s", t.model(),
                    t.inputTokens(), t.cacheReadTokens() == 0 ? "" : " (" + t.cacheReadTokens() + " cached)",
                    t.outputTokens(), t.cost() == 0 ? "" : String.format(Locale.ROOT, ", $%.4f", t.cost()))));
        } else if (e instanceof AgentEvent.UsageReported u) {
            out.println(seq + dim(String.format(Locale.ROOT, "usage %s: %.1f machine seconds", u.phase(), u.machineSeconds())));
        }
    }

    /**
     * On a terminal, a line that shows what the agent is doing and for how long when no event has
     * arrived for a while (a build step, an install), rewritten in place; nothing otherwise.
     */
    Ticker ticker() {
        return new Ticker();
    }

    /** See {@link #ticker()}. */
    final class Ticker implements AutoCloseable {
        private volatile long lastEvent = System.nanoTime();
        private volatile String doing = "starting";
        private volatile boolean shown;
        private final java.util.concurrent.ScheduledExecutorService timer;

        Ticker() {
            if (!colour) {
                timer = null;
                return;
            }
            timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("nightshift-ticker"));
            timer.scheduleAtFixedRate(this::tick, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        }

        void event(AgentEvent e) {
            lastEvent = System.nanoTime();
            if (e instanceof AgentEvent.CommandStarted c) {
                doing = c.phase() + ": " + firstLine(c.command());
            } else if (e instanceof AgentEvent.BuildOutput b) {
                doing = "build: " + firstLine(b.line());
            } else if (e instanceof AgentEvent.StatusChanged s) {
                doing = s.to().name().toLowerCase(Locale.ROOT);
            } else if (e instanceof AgentEvent.ToolCallStarted t) {
                doing = toolCall(t.name(), t.arguments());
            } else if (e instanceof AgentEvent.ToolCallFinished || e instanceof AgentEvent.ModelUsageReported) {
                doing = "waiting for the model";
            }
            clear();
        }

        private void tick() {
            long quiet = Duration.ofNanos(System.nanoTime() - lastEvent).toSeconds();
            if (quiet >= 2) {
                synchronized (Printer.this) {
                    String text = doing.length() > 60 ? doing.substring(0, 59) + "…" : doing;
                    out.print("\r\u001b[2K" + dim("  … " + text + " (" + quiet + " s)"));
                    out.flush();
                    shown = true;
                }
            }
        }

        private void clear() {
            if (shown) {
                synchronized (Printer.this) {
                    out.print("\r\u001b[2K");
                    shown = false;
                }
            }
        }

        @Override
        public void close() {
            if (timer != null) {
                timer.shutdownNow();
            }
            clear();
        }
    }

    /** Tokens and cost of an agent, or {@code null} when it used no model. */
    static String tokens(Usage u) {
        if (u.inputTokens() + u.outputTokens() == 0) {
            return null;
        }
        StringBuilder b = new StringBuilder().append(u.inputTokens()).append(" in");
        if (u.cacheReadTokens() + u.cacheWriteTokens() > 0) {
            b.append(" (").append(u.cacheReadTokens()).append(" cache read, ").append(u.cacheWriteTokens())
                    .append(" cache write)");
        }
        b.append(" / ").append(u.outputTokens()).append(" out");
        b.append(u.cost() > 0 ? String.format(Locale.ROOT, ", $%.4f", u.cost()) : ", cost unknown (no price for the model)");
        return b.toString();
    }

    /**
     * A finished tool call on one line: {@code read_file src/app.ts}, {@code $ npm test → exit 1},
     * {@code edit_file src/app.ts → error: old_string matches 2 places}.
     */
    static String toolLine(AgentEvent.ToolCallFinished t) {
        String line = toolCall(t.name(), t.arguments());
        if (t.exitCode().isPresent()) {
            line += " → exit " + t.exitCode().get();
        }
        if (t.error()) {
            String why = firstLine(t.result().strip());
            line += " → error" + (why.isEmpty() ? "" : ": " + cut(why, 100));
        }
        return line;
    }

    /** A tool call as a person would write it. */
    static String toolCall(String name, String arguments) {
        JsonNode args;
        try {
            args = JSON.readTree(arguments.isBlank() ? "{}" : arguments);
        } catch (Exception e) {
            return name + " " + cut(arguments, 80) + " (malformed arguments)";
        }
        String path = args.path("path").asText("");
        switch (name) {
            case "run_terminal_cmd":
                return "$ " + cut(firstLine(args.path("command").asText("")), 100)
                        + (args.path("background").asBoolean(false) ? " &" : "");
            case "read_file":
                long offset = args.path("offset").asLong(0);
                long limit = args.path("limit").asLong(0);
                return "read_file " + path + (offset > 0 || limit > 0
                        ? ":" + Math.max(1, offset) + (limit > 0 ? "-" + (Math.max(1, offset) + limit - 1) : "") : "");
            case "grep":
            case "glob":
                return name + " " + cut(args.path("pattern").asText(""), 60) + (path.isEmpty() ? "" : " in " + path);
            case "read_terminal":
                return "read_terminal " + args.path("name").asText("");
            case "todo_write":
                return "todo_write (" + args.path("todos").size() + " items)";
            default:
                if (!path.isEmpty()) {
                    return name + " " + path;
                }
                return name + (args.isObject() && args.size() > 0 ? " " + cut(args.toString(), 80) : "");
        }
    }

    private static String todoMark(Todo.Status s) {
        return switch (s) {
            case COMPLETED -> "[x]";
            case IN_PROGRESS -> "[>]";
            case CANCELLED -> "[-]";
            case PENDING -> "[ ]";
        };
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    private void row(String name, String value) {
        if (value != null) {
            out.printf("  %-11s %s%n", name, value);
        }
    }

    private static String flags(AgentInfo a) {
        return (a.hibernated() ? " (hibernated)" : "") + (a.takenOver() ? " (taken over)" : "");
    }

    static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s < 60 ? s + "s" : s < 3600 ? s / 60 + "m" : s < 86400 ? s / 3600 + "h" : s / 86400 + "d";
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl) + " …";
    }

    private String bold(String s) {
        return colour ? "\u001b[1m" + s + "\u001b[0m" : s;
    }

    private String dim(String s) {
        return colour ? "\u001b[2m" + s + "\u001b[0m" : s;
    }

    private String yellow(String s) {
        return colour ? "\u001b[33m" + s + "\u001b[0m" : s;
    }

    private String status(String s) {
        if (!colour) {
            return s;
        }
        String c = s.startsWith("FINISHED") ? "32" : s.startsWith("ERROR") || s.startsWith("CANCELLED") ? "31"
                : s.startsWith("RUNNING") || s.startsWith("CREATING") ? "36" : "33";
        return "\u001b[" + c + "m" + s + "\u001b[0m";
    }
}
