package dev.nightshift.examples;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.Subscription;
import dev.nightshift.api.TakeOver;
import dev.nightshift.common.FileTrees;
import dev.nightshift.core.Nightshift;
import dev.nightshift.core.ShellDriver;
import dev.nightshift.model.ModelDriver;
import dev.nightshift.model.ModelName;
import dev.nightshift.model.Models;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The README's main job: spawn an agent on a sample repository (or {@code --repo}), watch it work,
 * send a follow-up, and show what a user wants to see: the branch on the remote, the commit, the
 * diff stat, the summary, how to take over, and cold versus warm start times. The last line is one
 * JSON object for scripts.
 *
 * <p>Built only on the public API. Run it with {@code scripts/quickstart}; with
 * {@code --model NAME} (for example {@code anthropic:claude-sonnet-4-5}) and the provider's key in
 * the environment, a model does the work from plain-language prompts; without the key it keeps
 * the shell driver, so the quick start works offline.
 *
 * <p><b>Thread-safety:</b> a program. <b>Lifecycle:</b> runs once and exits.
 */
public final class QuickStart {
    private static final PrintStream out = System.out;

    private QuickStart() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        Path work = Path.of(opts.getOrDefault("--work", "target/quickstart")).toAbsolutePath();
        deleteTree(work);
        Files.createDirectories(work);
        String repo = opts.get("--repo");
        String ref = opts.get("--ref");
        boolean sample = repo == null;
        if (sample) {
            repo = SampleRepository.create(work.resolve("sample"));
            step("created a sample repository with .cursor/environment.json; its remote is " + repo);
        }

        String model = modelWithKey(opts.get("--model"));

        long t0 = System.nanoTime();
        try (Nightshift nightshift = Nightshift.builder() // the Docker runtime is found on the classpath
                .stateDirectory(work.resolve("state"))
                .driver(ModelDriver.builder().models(Models.fromEnvironment()).build())
                .build()) {
            String prompt = opts.getOrDefault("--prompt", model != null
                    ? "Create GREETING.md containing the line 'Hello from a Nightshift agent.', and add a section"
                            + " '## Made by an agent' to README.md saying it was added by a background agent."
                    : String.join("\n",
                    "echo 'Hello from a Nightshift agent.' > GREETING.md",
                    "printf '\\n## Made by an agent\\n\\nThis line was added by a background agent.\\n' >> README.md",
                    "echo 'SUMMARY: Added GREETING.md and a README section'"));
            Agent agent = nightshift.spawn(AgentRequest.builder(prompt, repo).ref(ref)
                    .driver(model != null ? ModelDriver.NAME : ShellDriver.NAME).model(model).build());
            step("spawned agent " + agent.id() + " (" + agent.status() + ")");
            long cold;
            try (Subscription progress = agent.addListener(QuickStart::show, 0)) {
                AgentInfo running = agent.awaitStatus(AgentStatus.RUNNING, Duration.ofMinutes(20));
                cold = System.nanoTime() - t0;
                if (!running.status().equals(AgentStatus.RUNNING) && !running.status().equals(AgentStatus.FINISHED)) {
                    throw new NightshiftException("agent ended " + running.status() + ": " + running.error().orElse(null));
                }
                AgentInfo first = agent.awaitStatus(AgentStatus.FINISHED, Duration.ofMinutes(20));
                requireFinished(first);
                step("turn 1 finished: " + first.summary().orElse(null));

                agent.followUp(model != null
                        ? "Append a line 'Checked on YYYY-MM-DD' with today's UTC date (from the date command) to GREETING.md."
                        : String.join("\n", "date -u +'Checked on %Y-%m-%d' >> GREETING.md",
                                "echo 'SUMMARY: Dated the greeting'"));
                step("sent a follow-up");
                AgentInfo second = agent.awaitStatus(AgentStatus.FINISHED, Duration.ofMinutes(20));
                requireFinished(second);
                step("turn 2 finished: " + second.summary().orElse(null));
            }

            long t1 = System.nanoTime();
            Agent warm = nightshift.spawn(AgentRequest.builder("echo 'SUMMARY: nothing to do'", repo).ref(ref)
                    .push(false).build());
            warm.awaitStatus(AgentStatus.RUNNING, Duration.ofMinutes(20));
            long warmTime = System.nanoTime() - t1;
            warm.awaitStatus(AgentStatus.FINISHED, Duration.ofMinutes(5));

            AgentInfo done = agent.info();
            TakeOver takeOver = agent.takeOver();
            String attach = takeOver.attach().commandLine();
            agent.handBack();

            out.println();
            out.println("Agent     " + done.id() + "  " + done.status());
            out.println("Remote    " + repo);
            out.println("Branch    " + done.branch().orElse(null));
            out.println("Commit    " + done.commit().orElse(null));
            out.println("Summary   " + done.summary().orElse(null));
            if (model != null) {
                out.printf(Locale.ROOT, "Model     %s: %d tokens in, %d out%n", model, done.usage().inputTokens(),
                        done.usage().outputTokens());
            }
            if (sample) {
                out.println("Diff      " + diffStat(repo, done.branch().orElseThrow()).replace("\n", "\n          "));
            }
            out.println("Take over " + attach + "   (while the agent lives; this demo removes it on exit)");
            out.printf(Locale.ROOT, "Timings   cold spawn to RUNNING %.1f s (environment built), warm %.1f s (snapshot hit)%n",
                    cold / 1e9, warmTime / 1e9);
            out.println();
            warm.delete();
            nightshift.closeAndRemoveMachines();
            out.println(json(Map.of("agentId", done.id(), "status", done.status().name(), "branch", done.branch().orElseThrow(),
                    "commit", done.commit().orElseThrow(), "remote", repo, "coldStartMillis", TimeUnit.NANOSECONDS.toMillis(cold),
                    "warmStartMillis", TimeUnit.NANOSECONDS.toMillis(warmTime))));
        }
    }

    /**
     * The model to use, or {@code null} for the shell driver: without {@code --model}, or when
     * the model's provider needs a key the environment does not hold (the quick start must work
     * offline). A malformed name or unknown provider is an error.
     */
    private static String modelWithKey(String model) {
        if (model == null) {
            return null;
        }
        ModelName name = ModelName.parse(model);
        String key = System.getenv(name.provider().keyVariable());
        if (name.provider().keyRequired() && (key == null || key.isBlank())) {
            step("no " + name.provider().keyVariable() + " in the environment: keeping the shell driver for " + model);
            return null;
        }
        Models.fromEnvironment().validate(model);
        step("the agent's brain is " + model);
        return model;
    }

    private static void requireFinished(AgentInfo info) {
        if (!info.status().equals(AgentStatus.FINISHED)) {
            throw new NightshiftException("agent " + info.id() + " ended " + info.status()
                    + info.error().map(e -> ": " + e).orElse(""));
        }
    }

    private static void show(AgentEvent e) {
        if (e instanceof AgentEvent.StatusChanged s) {
            step("status " + s.to() + (s.reason() == null ? "" : " (" + s.reason() + ")"));
        } else if (e instanceof AgentEvent.BuildOutput b) {
            out.println("  build | " + b.line());
        } else if (e instanceof AgentEvent.CommandStarted c) {
            out.println("  " + c.phase() + " $ " + c.command().replace("\n", "; "));
        } else if (e instanceof AgentEvent.CommandOutput o) {
            out.println("  " + o.phase() + " | " + o.line());
        } else if (e instanceof AgentEvent.Warning w) {
            out.println("  warning: " + w.message());
        } else if (e instanceof AgentEvent.HandedOff h) {
            step("pushed " + h.branch() + " at " + h.commit());
        } else if (e instanceof AgentEvent.ToolCallFinished t) {
            out.println("  tool | " + t.name() + " " + t.arguments().replace("\n", " ")
                    + t.exitCode().map(c -> " → exit " + c).orElse("") + (t.error() ? " → error" : ""));
        } else if (e instanceof AgentEvent.MessageAdded m && m.message().type() == ConversationMessage.Type.ASSISTANT_MESSAGE
                && !m.message().text().isBlank()) {
            out.println("  assistant | " + m.message().text().replace("\n", " "));
        }
    }

    private static void step(String s) {
        out.println("==> " + s);
    }

    private static String diffStat(String remote, String branch) throws IOException, InterruptedException {
        Path bare = Path.of(java.net.URI.create(remote));
        Process p = new ProcessBuilder("git", "diff", "--stat", "main..." + branch).directory(bare.toFile())
                .redirectErrorStream(true).start();
        String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        return s;
    }

    static String json(Map<String, Object> values) {
        StringBuilder sb = new StringBuilder("{");
        List<String> keys = new ArrayList<>(List.of("agentId", "status", "branch", "commit", "remote",
                "coldStartMillis", "warmStartMillis"));
        for (String k : keys) {
            if (!values.containsKey(k)) {
                continue;
            }
            if (sb.length() > 1) {
                sb.append(',');
            }
            Object v = values.get(k);
            sb.append('"').append(k).append("\":");
            if (v instanceof Number) {
                sb.append(v);
            } else {
                sb.append('"').append(String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return sb.append('}').toString();
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (List.of("--repo", "--ref", "--work", "--prompt", "--model").contains(a) && i + 1 < args.length) {
                m.put(a, args[++i]);
            } else {
                System.err.println("usage: quickstart [--repo URL|PATH] [--ref REF] [--prompt TEXT] [--work DIR] [--model NAME]");
                System.exit(2);
            }
        }
        if (m.containsKey("--repo") && !m.get("--repo").contains("://") && !m.get("--repo").contains("@")) {
            m.put("--repo", Path.of(m.get("--repo")).toAbsolutePath().toUri().toString());
        }
        return m;
    }

    static void deleteTree(Path dir) throws IOException {
        FileTrees.delete(dir);
    }
}
