package dev.nightshift.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.ModelPrice;
import dev.nightshift.api.TakeOver;
import dev.nightshift.api.ValidationException;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.MachineRuntime;
import dev.nightshift.api.spi.SecretKind;
import dev.nightshift.core.AgentSecret;
import dev.nightshift.core.Limits;
import dev.nightshift.core.Nightshift;
import dev.nightshift.core.TestRemote;
import dev.nightshift.core.TestRuntime;
import dev.nightshift.secrets.LocalKms;
import dev.nightshift.secrets.SecretStore;
import dev.nightshift.model.testing.ErrorReply;
import dev.nightshift.model.testing.RecordedRequest;
import dev.nightshift.model.testing.Reply;
import dev.nightshift.model.testing.ScriptedModelServer;
import dev.nightshift.model.testing.TokenCounts;
import dev.nightshift.model.testing.WireFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The model driver in the engine, end to end: a real Docker machine, a real bare remote, and the
 * providers' real clients over HTTP against {@link ScriptedModelServer}. One engine, one remote
 * (so one environment build) and one scripted server serve every test; each test spawns its own agent.
 */
class ModelAgentIT {
    static final Duration WAIT = Duration.ofMinutes(3);
    static final String SECRET = "tok-3f9a7c21e5d84b60";

    static MachineRuntime runtime;
    static Path dir;
    static TestRemote remote;
    static final Map<String, String> KEYS = Map.of("OPENAI_COMPATIBLE_API_KEY", ScriptedModelServer.OPENAI_TEST_KEY,
            "OPENAI_API_KEY", ScriptedModelServer.OPENAI_TEST_KEY, "ANTHROPIC_API_KEY", ScriptedModelServer.ANTHROPIC_TEST_KEY);
    ScriptedModelServer server = ScriptedModelServer.start();
    static Models models;
    static SecretStore secrets;
    static Nightshift ns;

    static Map<String, String> project() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("calc.sh", "add() {\n  echo $(( $1 - $2 ))\n}\n");
        f.put("test.sh", "#!/bin/bash\nsource ./calc.sh\ngot=$(add 2 3)\nif [ \"$got\" != 5 ]; then echo \"FAIL: add 2 3 gave $got\"; exit 1; fi\necho PASS\n");
        f.put("notes.txt", "first line\nsame\nsame\n");
        f.put("AGENTS.md", "Run ./test.sh to test. AGENTS-MARKER-17\n");
        f.put(".cursor/rules/style.mdc", "---\ndescription: shell style\nalwaysApply: true\n---\nRULE-ALWAYS-MARKER quote variables\n");
        f.put(".cursor/rules/docs.mdc", "---\ndescription: how to write docs\nglobs: '*.md'\nalwaysApply: false\n---\nRULE-LISTED-BODY\n");
        f.put(".cursor/environment.json", "{ \"install\": \"chmod +x test.sh\" }\n");
        return f;
    }

    @BeforeAll
    static void start() throws Exception {
        runtime = TestRuntime.docker();
        dir = Files.createTempDirectory("model-agent-it");
        remote = TestRemote.create(dir.resolve("remote"), project());
        models = Models.builder().environment(KEYS).build();
        ns = engine(dir.resolve("state"));
    }

    static String storePath() {
        return dir.resolve("state").toAbsolutePath().normalize().toString();
    }

    static Nightshift engine(Path state) {
        secrets = secrets != null ? secrets : SecretStore.open(state, LocalKms.openDefault(state));
        return Nightshift.builder().runtime(runtime).stateDirectory(state).secretProvider(secrets)
                .limits(Limits.DEFAULT.withInstallTimeout(Duration.ofSeconds(60)).withTurnTimeout(Duration.ofSeconds(120)))
                .driver(ModelDriver.builder().models(models).backoff(Duration.ofMillis(50), Duration.ofSeconds(2))
                        .price(ScriptedModelServer.MODEL, new ModelPrice(1, 2, 0.5, 0)).build())
                .build();
    }

    final List<String> spawned = new java.util.ArrayList<>();

    /** Each test's agents go with it (their machines count against the engine's running-machine cap). */
    @AfterEach
    void cleanUp() {
        server.close();
        for (String id : spawned) {
            ns.get(id).ifPresent(Agent::delete);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (ns != null) {
            for (AgentInfo a : ns.list(dev.nightshift.api.AgentQuery.all()).items()) {
                ns.get(a.id()).ifPresent(Agent::delete);
            }
            ns.closeAndRemoveMachines();
        }
        if (secrets != null) {
            secrets.close();
        }
        if (runtime != null) {
            // the images the engine made for its store (environment snapshots), newest first
            runtime.snapshots(java.util.Map.of("dev.nightshift.store.path", storePath())).stream()
                    .sorted((x, y) -> y.createdAt().compareTo(x.createdAt()))
                    .forEach(s -> runtime.deleteSnapshot(s.id()));
            runtime.close();
        }
    }

    Agent spawn(WireFormat f, String prompt) {
        return track(ns.spawn(AgentRequest.builder(prompt, remote.url()).driver(ModelDriver.NAME).model(server.modelName(f))
                .build()));
    }

    Agent track(Agent a) {
        spawned.add(a.id());
        return a;
    }

    static AgentInfo settle(Agent a) {
        return a.awaitStatus(java.util.Set.of(AgentStatus.FINISHED, AgentStatus.ERROR, AgentStatus.STOPPED), WAIT);
    }

    static String args(String... kv) {
        com.fasterxml.jackson.databind.node.ObjectNode n = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        for (int i = 0; i < kv.length; i += 2) {
            n.put(kv[i], kv[i + 1]);
        }
        return n.toString();
    }

    /** Requests the server got from {@code from} on. */
    List<RecordedRequest> since(int from) {
        List<RecordedRequest> all = server.requests();
        return all.subList(from, all.size());
    }

    @ParameterizedTest
    @EnumSource(WireFormat.class)
    void readsEditsRunsFailsFixesRerunsAndAnswersThenFollowsUpAcrossARestart(WireFormat f) throws Exception {
        int first = server.requests().size();
        String answer = "Fixed add() in calc.sh: it subtracted. ./test.sh passes.";
        server.enqueue(
                Reply.toolCall("read_file", args("path", "calc.sh")),
                Reply.toolCall("run_terminal_cmd", args("command", "./test.sh")),
                Reply.toolCall("edit_file", args("path", "calc.sh", "old_string", "$1 - $2", "new_string", "$1 + $2")),
                Reply.toolCall("run_terminal_cmd", args("command", "./test.sh")),
                Reply.text(answer));
        Agent a = spawn(f, "Make ./test.sh pass");
        AgentInfo done = settle(a);
        assertThat(done.status()).as("error: %s", done.error()).isEqualTo(AgentStatus.FINISHED);
        assertThat(done.summary().orElseThrow()).isEqualTo(answer);
        assertThat(remote.show(done.branch().orElseThrow(), "calc.sh")).contains("$(( $1 + $2 ))");
        List<RecordedRequest> turn = since(first);
        assertThat(turn).hasSize(5);
        assertThat(turn.get(0).systemPrompt().orElseThrow()).contains("AGENTS-MARKER-17", "RULE-ALWAYS-MARKER",
                ".cursor/rules/docs.mdc: how to write docs", done.branch().orElseThrow()).doesNotContain("RULE-LISTED-BODY");
        assertThat(turn.get(1).lastToolResult().orElseThrow()).contains("$(( $1 - $2 ))");
        assertThat(turn.get(2).lastToolResult().orElseThrow()).contains("FAIL: add 2 3 gave -1", "[exit code 1]");
        assertThat(turn.get(4).lastToolResult().orElseThrow()).contains("PASS", "[exit code 0]");
        TokenCounts reported = TokenCounts.ZERO;
        for (ScriptedModelServer.Exchange e : server.exchanges().subList(first, first + 5)) {
            reported = reported.plus(e.usage());
        }
        assertThat(done.usage().inputTokens()).isEqualTo(reported.totalInput());
        assertThat(done.usage().outputTokens()).isEqualTo(reported.output());
        assertThat(done.usage().cost()).isGreaterThan(0);
        List<AgentEvent> events = a.events(0, 10_000);
        assertThat(events).filteredOn(e -> e instanceof AgentEvent.ModelUsageReported).hasSize(5);
        assertThat(events).filteredOn(e -> e instanceof AgentEvent.ToolCallFinished t && t.name().equals("run_terminal_cmd"))
                .extracting(e -> ((AgentEvent.ToolCallFinished) e).exitCode().orElseThrow()).containsExactly(1, 0);
        assertThat(a.conversation()).extracting(ConversationMessage::type).containsSubsequence(
                ConversationMessage.Type.USER_MESSAGE, ConversationMessage.Type.ASSISTANT_MESSAGE,
                ConversationMessage.Type.TOOL_RESULT, ConversationMessage.Type.ASSISTANT_MESSAGE);

        // a follow-up: the request holds the whole earlier conversation
        server.enqueue(Reply.text("follow-up answer"));
        a.followUp("Say what you changed");
        assertThat(settle(a).summary().orElseThrow()).isEqualTo("follow-up answer");
        String followUp = server.requests().get(server.requests().size() - 1).body();
        assertThat(followUp).contains("Make ./test.sh pass", "FAIL: add 2 3 gave -1", "PASS", answer, "Say what you changed");

        // a restarted engine: the next turn's request still holds the conversation
        ns.close();
        ns = engine(dir.resolve("state"));
        Agent again = ns.get(a.id()).orElseThrow();
        server.enqueue(Reply.text("after restart"));
        again.followUp("Anything else?");
        assertThat(settle(again).summary().orElseThrow()).isEqualTo("after restart");
        String restarted = server.requests().get(server.requests().size() - 1).body();
        assertThat(restarted).contains("Make ./test.sh pass", "FAIL: add 2 3 gave -1", answer, "follow-up answer",
                "Anything else?");
    }

    @Test
    void aRuntimeSecretInAFileTheModelReadsIsNeverSent() {
        int first = server.requests().size();
        server.enqueue(
                Reply.toolCall("run_terminal_cmd", args("command", "echo \"token=$API_TOKEN\" > creds.txt; cat creds.txt")),
                Reply.toolCall("read_file", args("path", "creds.txt")),
                Reply.toolCall("grep", args("pattern", "token")),
                Reply.text("done"));
        Agent a = track(ns.spawn(AgentRequest.builder("look at creds", remote.url()).driver(ModelDriver.NAME)
                .model(server.modelName(WireFormat.ANTHROPIC)).push(false).build(),
                List.of(new AgentSecret("API_TOKEN", SecretKind.RUNTIME, SECRET))));
        AgentInfo done = settle(a);
        assertThat(done.status()).as("error: %s", done.error()).isEqualTo(AgentStatus.FINISHED);
        List<RecordedRequest> turn = since(first);
        assertThat(turn).hasSize(4);
        assertThat(turn.get(1).lastToolResult().orElseThrow()).as("the value was there to leak")
                .contains("token=[REDACTED]");
        assertThat(turn.get(2).lastToolResult().orElseThrow()).contains("token=[REDACTED]");
        assertThat(turn).allSatisfy(r -> assertThat(r.body()).doesNotContain(SECRET));
        assertThat(a.conversation().toString()).doesNotContain(SECRET);
        assertThat(a.events(0, 10_000).toString()).doesNotContain(SECRET);
    }

    @Test
    void rateLimitedThenRetriedAndUnauthorizedIsAnErrorNamingTheProvider() {
        server.enqueue(ErrorReply.rateLimited(Duration.ofSeconds(1)), Reply.text("after the wait"));
        AgentInfo ok = settle(spawn(WireFormat.OPENAI, "say something"));
        assertThat(ok.status()).as("error: %s", ok.error()).isEqualTo(AgentStatus.FINISHED);
        assertThat(ok.summary().orElseThrow()).isEqualTo("after the wait");

        server.enqueue(ErrorReply.unauthorized());
        AgentInfo refused = settle(spawn(WireFormat.OPENAI, "say something else"));
        assertThat(refused.status()).isEqualTo(AgentStatus.ERROR);
        assertThat(refused.error().orElseThrow()).contains("openai-compatible", "401", ScriptedModelServer.MODEL)
                .doesNotContain(ScriptedModelServer.OPENAI_TEST_KEY)
                .doesNotContain(ScriptedModelServer.OPENAI_TEST_KEY.substring(ScriptedModelServer.OPENAI_TEST_KEY.length() - 4));
    }

    @Test
    void aBadModelOrAMissingKeyFailsTheSpawn() {
        assertThatThrownBy(() -> ns.spawn(AgentRequest.builder("x", remote.url()).driver(ModelDriver.NAME)
                .model("nosuch:thing").build())).isInstanceOf(ValidationException.class).hasMessageContaining("nosuch");
        assertThatThrownBy(() -> ns.spawn(AgentRequest.builder("x", remote.url()).driver("no-such-driver").build()))
                .isInstanceOf(ValidationException.class).hasMessageContaining("no-such-driver");
        Models keyless = Models.builder().environment(Map.of()).build();
        ModelDriver d = ModelDriver.builder().models(keyless).build();
        assertThatThrownBy(() -> d.validate(AgentRequest.builder("x", remote.url()).model("anthropic:claude-sonnet-4-5")
                .build())).isInstanceOf(ValidationException.class).hasMessageContaining("ANTHROPIC_API_KEY");
    }

    @Test
    void contextLengthErrorCompactsThenSucceeds() {
        server.enqueue(Reply.toolCall("read_file", args("path", "notes.txt")), ErrorReply.contextLengthExceeded(),
                Reply.text("COMPACTED: read notes.txt"), Reply.text("answer after compaction"));
        Agent a = spawn(WireFormat.ANTHROPIC, "read the notes");
        AgentInfo done = settle(a);
        assertThat(done.status()).as("error: %s", done.error()).isEqualTo(AgentStatus.FINISHED);
        assertThat(done.summary().orElseThrow()).isEqualTo("answer after compaction");
        assertThat(a.conversation()).extracting(ConversationMessage::type).contains(ConversationMessage.Type.SUMMARY);
        assertThat(server.requests().get(server.requests().size() - 1).body()).contains("COMPACTED: read notes.txt");
    }

    @Test
    void toolErrorsTheModelSeesAndTheLoopGoesOn() {
        int first = server.requests().size();
        server.enqueue(
                Reply.toolCall("read_file", "{\"path\": \"calc.sh\""), // malformed JSON
                Reply.toolCall("edit_file", args("path", "notes.txt", "old_string", "same", "new_string", "other")),
                Reply.toolCall("read_file", args("path", "../etc/passwd")),
                Reply.toolCall("read_file", args("path", "/etc/hostname")),
                Reply.toolCall("run_terminal_cmd", args("command", "ln -s /etc escape")),
                Reply.toolCall("read_file", args("path", "escape/passwd")),
                Reply.toolCall("edit_file", args("path", "notes.txt", "old_string", "frist line", "new_string", "x")),
                Reply.text("all refused"));
        AgentInfo done = settle(spawn(WireFormat.OPENAI, "try things"));
        assertThat(done.status()).as("error: %s", done.error()).isEqualTo(AgentStatus.FINISHED);
        List<RecordedRequest> t = since(first);
        assertThat(t.get(1).lastToolResult().orElseThrow()).contains("not a JSON object");
        assertThat(t.get(2).lastToolResult().orElseThrow()).contains("matches 2 times", "lines 2, 3");
        assertThat(t.get(3).lastToolResult().orElseThrow()).contains("refused", "outside /workspace");
        assertThat(t.get(4).lastToolResult().orElseThrow()).contains("refused", "outside /workspace");
        assertThat(t.get(6).lastToolResult().orElseThrow()).contains("refused", "leads outside /workspace")
                .doesNotContain("root:x:0");
        assertThat(t.get(7).lastToolResult().orElseThrow()).contains("not found", "1\tfirst line");
    }

    @Test
    void theOtherToolsInTheMachine() {
        int first = server.requests().size();
        server.enqueue(
                Reply.toolCall("write_file", args("path", "src/deep/new.txt", "content", "alpha\nbeta\n")),
                Reply.toolCall("list_dir", args("path", "src")),
                Reply.toolCall("glob", args("pattern", "**/*.txt")),
                Reply.toolCall("grep", args("pattern", "be+ta", "include", "*.txt")),
                Reply.toolCall("delete_file", args("path", "notes.txt")),
                Reply.toolCall("run_terminal_cmd", "{\"command\":\"echo bg-$((40+2)); sleep 600\",\"background\":true}"),
                r -> Reply.toolCall("read_terminal", args("name", "agent-1")),
                Reply.toolCall("todo_write", "{\"todos\":[{\"id\":\"1\",\"content\":\"write\",\"status\":\"completed\"},"
                        + "{\"id\":\"2\",\"content\":\"check\",\"status\":\"in_progress\"}]}"),
                Reply.toolCall("run_terminal_cmd", args("command", "head -c 3000 /dev/urandom; seq 1 100000")),
                Reply.text("toured"));
        Agent a = spawn(WireFormat.ANTHROPIC, "tour the tools");
        AgentInfo done = settle(a);
        assertThat(done.status()).as("error: %s", done.error()).isEqualTo(AgentStatus.FINISHED);
        List<RecordedRequest> t = since(first);
        assertThat(t.get(1).lastToolResult().orElseThrow()).contains("wrote src/deep/new.txt");
        assertThat(t.get(2).lastToolResult().orElseThrow()).contains("d deep/");
        assertThat(t.get(3).lastToolResult().orElseThrow()).contains("notes.txt", "src/deep/new.txt").doesNotContain("calc.sh");
        assertThat(t.get(4).lastToolResult().orElseThrow()).contains("src/deep/new.txt:2:beta");
        assertThat(t.get(5).lastToolResult().orElseThrow()).contains("deleted notes.txt");
        assertThat(t.get(6).lastToolResult().orElseThrow()).contains("terminal 'agent-1'");
        assertThat(t.get(8).lastToolResult().orElseThrow()).contains("[in_progress] check");
        assertThat(t.get(9).lastToolResult().orElseThrow()).contains("binary output");
        assertThat(remote.show(done.branch().orElseThrow(), "src/deep/new.txt")).isEqualTo("alpha\nbeta\n");
        assertThat(a.events(0, 10_000)).anyMatch(e -> e instanceof AgentEvent.TodosUpdated u && u.todos().size() == 2);
        // the background command runs in a tmux window of the agent's session
        assertThat(a.session().orElseThrow().machine().terminals().read("agent-1", 20)).contains("bg-42");
    }

    @Test
    void longOutputIsCutWithHeadAndTail() {
        int first = server.requests().size();
        server.enqueue(Reply.toolCall("run_terminal_cmd", args("command", "seq 1 200000")), Reply.text("long"));
        assertThat(settle(spawn(WireFormat.OPENAI, "print a lot")).status()).isEqualTo(AgentStatus.FINISHED);
        String result = since(first).get(1).lastToolResult().orElseThrow();
        assertThat(result).startsWith("1\n2\n3\n").contains("truncated").contains("199999\n200000\n[exit code 0]");
        assertThat(result.length()).isLessThan(40_000);
    }

    @Test
    void stopInTheMiddleOfALongToolCall() throws Exception {
        server.enqueue(Reply.toolCall("run_terminal_cmd", args("command", "sleep 600", "timeout_seconds", "900")));
        Agent a = spawn(WireFormat.OPENAI, "wait a long time");
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        try (dev.nightshift.api.Subscription sub = a.addListener(e -> {
            if (e instanceof AgentEvent.ToolCallStarted) {
                started.countDown();
            }
        }, 0)) {
            assertThat(started.await(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)).isTrue();
        }
        // the command runs: wait for its process in the machine
        assertThat(a.session().orElseThrow().machine().exec(ExecRequest.bash(
                "for i in $(seq 1 100); do pgrep -x sleep >/dev/null && exit 0; sleep 0.1; done; exit 1").build())
                .await().exitCode()).isZero();
        long t0 = System.nanoTime();
        a.stop();
        AgentInfo stopped = a.awaitStatus(AgentStatus.STOPPED, Duration.ofSeconds(60));
        assertThat(stopped.status()).isEqualTo(AgentStatus.STOPPED);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(60));
        assertThat(a.conversation().get(a.conversation().size() - 1).text()).startsWith("[interrupted");
        assertThat(server.requests()).as("no model call after the stop").hasSize(1);
        server.enqueue(r -> Reply.text("resumed; saw " + (r.lastToolResult().orElse("?").startsWith("[interrupted") ? "the interruption" : "?")));
        a.followUp("go on");
        assertThat(settle(a).summary().orElseThrow()).isEqualTo("resumed; saw the interruption");
    }

    @Test
    void takeOverDuringAModelCallAndHandBackTheHumansEditSeenByTheNextStep() throws Exception {
        int first = server.requests().size();
        server.enqueue(
                Reply.toolCall("read_file", args("path", "notes.txt")),
                Reply.text("too late").delayed(Duration.ofSeconds(60)),
                Reply.toolCall("read_file", args("path", "notes.txt")),
                r -> Reply.text("notes now: " + r.lastToolResult().orElse("?")));
        Agent a = spawn(WireFormat.ANTHROPIC, "read the notes twice");
        server.awaitRequest(first + 1, WAIT); // the second model call is in flight
        TakeOver t = a.takeOver();
        t.session().machine().exec(ExecRequest.bash("echo human-edit-99 >> notes.txt")
                .workdir(t.session().workspace()).user(t.session().user()).build()).await();
        assertThat(server.requests().size()).as("paused: no new call while taken over").isEqualTo(first + 2);
        a.handBack();
        AgentInfo done = settle(a);
        assertThat(done.status()).as("error: %s", done.error()).isEqualTo(AgentStatus.FINISHED);
        assertThat(done.summary().orElseThrow()).contains("human-edit-99");
        assertThat(since(first)).hasSize(4);
    }
}
