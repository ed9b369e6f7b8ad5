package dev.nightshift.examples;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.Subscription;
import dev.nightshift.core.Nightshift;
import dev.nightshift.model.ModelDriver;
import dev.nightshift.model.Models;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One real task for a real model: a repository whose test fails, and the prompt "make the
 * failing test pass". Not a test: it needs a provider key and spends tokens. Run it with
 * <pre>
 *   ANTHROPIC_API_KEY=... java -cp "examples/target/classes:$(cat examples/target/classpath.txt)" \
 *       dev.nightshift.examples.RealModelTask [MODEL] [--work DIR]
 * </pre>
 * MODEL defaults to {@code anthropic:claude-sonnet-4-5} when {@code ANTHROPIC_API_KEY} is set,
 * else {@code openai:gpt-4.1} when {@code OPENAI_API_KEY} is set; without a key it says what to
 * set and exits 2. It prints each tool call, the answer, the branch on the (local bare) remote,
 * its diff, and the tokens used.
 *
 * <p><b>Thread-safety:</b> a program. <b>Lifecycle:</b> runs once and exits.
 */
public final class RealModelTask {
    private static final PrintStream out = System.out;

    private RealModelTask() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.getenv()));
    }

    /** The program; returns the exit code (0: the test passes on the agent's branch). */
    static int run(String[] args, Map<String, String> env) throws Exception {
        String model = null;
        Path work = Path.of("target/real-model-task").toAbsolutePath();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--work") && i + 1 < args.length) {
                work = Path.of(args[++i]).toAbsolutePath();
            } else {
                model = args[i];
            }
        }
        if (model == null) {
            model = present(env, "ANTHROPIC_API_KEY") ? "anthropic:claude-sonnet-4-5"
                    : present(env, "OPENAI_API_KEY") ? "openai:gpt-4.1" : null;
        }
        if (model == null) {
            System.err.println("real-model-task: no provider key in the environment; set ANTHROPIC_API_KEY or "
                    + "OPENAI_API_KEY (or name a model: openai-compatible:MODEL@http://HOST:PORT/v1)");
            return 2;
        }
        Models models = Models.builder().environment(env).build();
        models.validate(model); // a missing key or module: a clear error before anything starts

        QuickStart.deleteTree(work);
        String remote = SampleRepository.create(work.resolve("repo"), failingProject());
        out.println("==> repository with a failing test: " + remote);
        out.println("==> model: " + model);
        try (Nightshift nightshift = Nightshift.builder().stateDirectory(work.resolve("state"))
                .driver(ModelDriver.builder().models(models).build()).build()) {
            Agent agent = nightshift.spawn(AgentRequest.builder(
                    "The test script `bash test.sh` fails. Find out why, fix the code (not the test), run the test"
                            + " again until it passes, and tell me in one sentence what was wrong.", remote)
                    .driver(ModelDriver.NAME).model(model).build());
            AgentInfo done;
            try (Subscription s = agent.addListener(RealModelTask::show, 0)) {
                done = agent.awaitStatus(Set.of(AgentStatus.FINISHED, AgentStatus.ERROR, AgentStatus.STOPPED,
                        AgentStatus.CANCELLED, AgentStatus.EXPIRED), Duration.ofMinutes(30));
            }
            out.println();
            out.println("Status    " + done.status() + done.error().map(e -> ": " + e).orElse(""));
            out.println("Answer    " + done.summary().orElse(null));
            out.println("Branch    " + done.branch().orElse(null) + " at " + done.commit().orElse(null));
            out.printf(Locale.ROOT, "Tokens    %d in (%d cache read) / %d out%n", done.usage().inputTokens(),
                    done.usage().cacheReadTokens(), done.usage().outputTokens());
            agent.delete();
            nightshift.closeAndRemoveMachines();
            return done.status().equals(AgentStatus.FINISHED) ? 0 : 1;
        }
    }

    private static boolean present(Map<String, String> env, String name) {
        String v = env.get(name);
        return v != null && !v.isBlank();
    }

    private static void show(AgentEvent e) {
        if (e instanceof AgentEvent.ToolCallFinished t) {
            out.println("  " + t.name() + " " + t.arguments().replace("\n", " ")
                    + t.exitCode().map(c -> " → exit " + c).orElse("") + (t.error() ? " → error" : ""));
        } else if (e instanceof AgentEvent.MessageAdded m && m.message().type() == ConversationMessage.Type.ASSISTANT_MESSAGE
                && !m.message().text().isBlank()) {
            out.println("  assistant: " + m.message().text().replace("\n", " "));
        } else if (e instanceof AgentEvent.StatusChanged s) {
            out.println("==> " + s.to());
        }
    }

    /** A tiny shell project whose test fails: {@code add} subtracts. */
    static Map<String, String> failingProject() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("README.md", "# calc\n\nRun the tests with `bash test.sh`.\n");
        f.put("AGENTS.md", "Run `bash test.sh` to test. Keep changes small.\n");
        f.put("calc.sh", "#!/usr/bin/env bash\nadd() {\n  echo $(( $1 - $2 ))\n}\n");
        f.put("test.sh", String.join("\n", "#!/usr/bin/env bash", "source ./calc.sh",
                "got=$(add 2 3)", "if [ \"$got\" != 5 ]; then echo \"FAIL: add 2 3 gave $got, want 5\"; exit 1; fi",
                "echo ok", ""));
        return f;
    }

}
