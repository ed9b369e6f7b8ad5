package dev.nightshift.model.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.AgentCancelledException;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.ModelPrice;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.TokenUsage;
import dev.nightshift.api.Turn;
import dev.nightshift.api.TurnResult;
import dev.nightshift.model.Models;
import dev.nightshift.model.testing.ErrorReply;
import dev.nightshift.model.testing.RecordedRequest;
import dev.nightshift.model.testing.Reply;
import dev.nightshift.model.testing.ScriptedModelServer;
import dev.nightshift.model.testing.TokenCounts;
import dev.nightshift.model.testing.WireFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The loop through the real langchain4j clients over HTTP against {@link ScriptedModelServer}, with
 * tools that need no machine ({@link FakeTools}) and a context kept in memory.
 */
class TurnLoopTest {
    private final ScriptedModelServer server = ScriptedModelServer.start();
    private final Models models = Models.builder().environment(server.environment()).build();

    @AfterEach
    void close() {
        server.close();
    }

    static List<Arguments> formats() {
        List<Arguments> all = new ArrayList<>();
        for (WireFormat f : WireFormat.values()) {
            all.add(Arguments.of(f, false));
            all.add(Arguments.of(f, true));
        }
        return all;
    }

    LoopSettings settings(WireFormat f, boolean stream, long contextWindow) {
        String name = server.modelName(f);
        return new LoopSettings(name, f == WireFormat.ANTHROPIC ? "anthropic" : "openai-compatible",
                stream ? null : models.chatModel(name), stream ? models.streamingChatModel(name) : null,
                Map.of(name, new ModelPrice(1.0, 2.0, 0.5, 0)), 20, 0, null, contextWindow, 0.8, 6, 3,
                Duration.ofMillis(20), Duration.ofSeconds(3), Duration.ofSeconds(5), Duration.ofMinutes(1),
                Duration.ofMinutes(5), 30_000, 4096, 5);
    }

    TurnResult run(LoopSettings s, InMemoryContext ctx, FakeTools tools) {
        return new TurnLoop(s, ctx, tools, "SYSTEM PROMPT").run(new Turn(1, "prompt"));
    }

    @ParameterizedTest(name = "{0}, streamed {1}")
    @MethodSource("formats")
    void readsAToolResultAndAnswersWithUsageAsReported(WireFormat f, boolean stream) {
        server.enqueue(Reply.toolCall("read_file", "{\"path\":\"notes.txt\"}").withUsage(new TokenCounts(100, 10, 40, 5)),
                r -> Reply.text("The notes say: " + r.lastToolResult().orElse("?")).withUsage(TokenCounts.of(150, 20)));
        InMemoryContext ctx = new InMemoryContext("What do the notes say?");
        TurnResult result = run(settings(f, stream, 128_000), ctx, new FakeTools(Map.of("notes.txt", "buy milk")));

        assertThat(result.summary()).isEqualTo("The notes say: buy milk");
        assertThat(ctx.types()).containsExactly(ConversationMessage.Type.USER_MESSAGE,
                ConversationMessage.Type.ASSISTANT_MESSAGE, ConversationMessage.Type.TOOL_RESULT,
                ConversationMessage.Type.ASSISTANT_MESSAGE);
        assertThat(ctx.conversation.get(1).toolCalls()).extracting(ConversationMessage.ToolCall::name)
                .containsExactly("read_file");
        assertThat(ctx.events).hasSize(2);
        // Anthropic's client re-serialises the arguments: compare them parsed
        assertThat(TurnLoop.Repeats.canonical(ctx.events.get(0).substring("started read_file ".length())))
                .isEqualTo("{\"path\":\"notes.txt\"}");
        assertThat(ctx.events.get(1)).isEqualTo("completed read_file buy milk");
        RecordedRequest second = server.requests().get(1);
        assertThat(second.systemPrompt()).contains("SYSTEM PROMPT");
        assertThat(second.toolNames()).containsExactly("read_file", "run", "slow");
        assertThat(second.body()).contains("What do the notes say?");
        // one usage per call, as the server reported it (every input token, cached ones included)
        assertThat(ctx.usage).hasSize(2);
        TokenCounts reported = server.reportedUsage();
        long in = ctx.usage.stream().mapToLong(TokenUsage::inputTokens).sum();
        assertThat(in).isEqualTo(reported.totalInput());
        assertThat(ctx.usage.stream().mapToLong(TokenUsage::outputTokens).sum()).isEqualTo(reported.output());
        assertThat(ctx.usage.stream().mapToLong(TokenUsage::cacheReadTokens).sum()).isEqualTo(reported.cacheRead());
        assertThat(ctx.usage.get(0).cost()).as("priced per million").isGreaterThan(0);
        if (stream) {
            assertThat(String.join("", ctx.deltas)).isEqualTo("The notes say: buy milk");
        } else {
            assertThat(ctx.deltas).isEmpty();
        }
    }

    @Test
    void aFollowUpSendsTheWholeEarlierConversation() {
        server.enqueue(Reply.toolCall("read_file", "{\"path\":\"a.txt\"}"), Reply.text("first answer"),
                Reply.text("second answer"));
        InMemoryContext ctx = new InMemoryContext("first prompt");
        LoopSettings s = settings(WireFormat.ANTHROPIC, false, 128_000);
        run(s, ctx, new FakeTools(Map.of("a.txt", "alpha-content")));
        ctx.conversation.add(new ConversationMessage("u2", ConversationMessage.Type.USER_MESSAGE, "second prompt",
                java.time.Instant.now()));
        assertThat(new TurnLoop(s, ctx, new FakeTools(Map.of()), "SYS").run(new Turn(2, "second prompt")).summary())
                .isEqualTo("second answer");
        String body = server.requests().get(2).body();
        assertThat(body).contains("first prompt", "alpha-content", "first answer", "second prompt");
    }

    @Test
    void aSecretInAToolResultNeverReachesTheModel() {
        server.enqueue(Reply.toolCall("read_file", "{\"path\":\".env\"}"), Reply.text("done"));
        InMemoryContext ctx = new InMemoryContext("read .env");
        run(settings(WireFormat.OPENAI, false, 128_000), ctx,
                new FakeTools(Map.of(".env", "TOKEN=" + InMemoryContext.SECRET)));
        assertThat(server.requests()).hasSize(2);
        assertThat(server.requests().get(1).body()).contains("TOKEN=[REDACTED]").doesNotContain(InMemoryContext.SECRET);
        assertThat(ctx.conversation.toString()).doesNotContain(InMemoryContext.SECRET);
    }

    @ParameterizedTest
    @EnumSource(WireFormat.class)
    void rateLimitedThenRetried(WireFormat f) {
        server.enqueue(ErrorReply.rateLimited(Duration.ofSeconds(1)), ErrorReply.serverError(), Reply.text("ok"));
        InMemoryContext ctx = new InMemoryContext("hi");
        assertThat(run(settings(f, false, 128_000), ctx, new FakeTools(Map.of())).summary()).isEqualTo("ok");
        assertThat(server.requests()).hasSize(3);
        assertThat(ctx.events).filteredOn(e -> e.startsWith("warning")).hasSize(2);
        // the Retry-After header (1 s), kept by the models Models builds, is honoured in both formats (the loop's own
        // backoff here is 20-40 ms)
        assertThat(ctx.events.get(0)).contains("retrying in 1000 ms");
        assertThat(ctx.events.get(1)).doesNotContain("retrying in 1000 ms");
    }

    @ParameterizedTest
    @EnumSource(WireFormat.class)
    void givesUpAfterTheRetries(WireFormat f) {
        server.enqueueRepeatedly(4, ErrorReply.serverError());
        assertThatThrownBy(() -> run(settings(f, false, 128_000), new InMemoryContext("hi"), new FakeTools(Map.of())))
                .isInstanceOf(NightshiftException.class).hasMessageContaining("still failing after 4 attempts")
                .hasMessageContaining("HTTP 500");
    }

    @ParameterizedTest
    @EnumSource(WireFormat.class)
    void unauthorizedNamesProviderAndModelNeverTheKey(WireFormat f) {
        server.enqueue(ErrorReply.unauthorized());
        LoopSettings s = settings(f, false, 128_000);
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> run(s, new InMemoryContext("hi"),
                new FakeTools(Map.of())));
        assertThat(t).isInstanceOf(NightshiftException.class).hasMessageContaining(s.provider())
                .hasMessageContaining(s.modelName()).hasMessageContaining("401");
        String key = f == WireFormat.ANTHROPIC ? ScriptedModelServer.ANTHROPIC_TEST_KEY : ScriptedModelServer.OPENAI_TEST_KEY;
        assertThat(t.getMessage()).doesNotContain(key).doesNotContain(key.substring(key.length() - 4));
        assertThat(server.requests()).as("not retried").hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(WireFormat.class)
    void contextLengthErrorCompactsThenRetriesOnce(WireFormat f) {
        server.enqueue(Reply.toolCall("read_file", "{\"path\":\"big.txt\"}"), ErrorReply.contextLengthExceeded(),
                Reply.text("SUMMARY: the user asked to read big.txt; it holds many lines"),
                r -> Reply.text("answer after compaction"));
        InMemoryContext ctx = new InMemoryContext("read big.txt and tell me");
        TurnResult result = run(settings(f, false, 128_000), ctx, new FakeTools(Map.of("big.txt", "line\n".repeat(2000))));
        assertThat(result.summary()).isEqualTo("answer after compaction");
        assertThat(ctx.types()).contains(ConversationMessage.Type.SUMMARY);
        List<RecordedRequest> requests = server.requests();
        assertThat(requests).hasSize(4);
        assertThat(requests.get(2).toolNames()).as("the summary request offers no tools").isEmpty();
        assertThat(requests.get(2).body()).contains("read big.txt and tell me");
        assertThat(requests.get(3).body()).contains("SUMMARY: the user asked to read big.txt")
                .doesNotContain("read big.txt and tell me");
        // what a follow-up (or a restarted engine) sends: the summary instead of what it stands for
        List<ConversationMessage> live = Conversations.live(ctx.conversation());
        assertThat(live.get(0).type()).isEqualTo(ConversationMessage.Type.SUMMARY);
        assertThat(live).extracting(ConversationMessage::text).doesNotContain("read big.txt and tell me");
    }

    @Test
    void aSecondContextLengthErrorEndsTheTurn() {
        server.enqueue(Reply.toolCall("read_file", "{\"path\":\"a\"}"), ErrorReply.contextLengthExceeded(),
                Reply.text("summary"), ErrorReply.contextLengthExceeded());
        assertThatThrownBy(() -> run(settings(WireFormat.OPENAI, false, 128_000), new InMemoryContext("p"),
                new FakeTools(Map.of("a", "x")))).hasMessageContaining("even after compaction");
    }

    @Test
    void compactsBeforeTheWindowFillsFromReportedUsage() {
        // the first answer reports 900 input tokens of a 1,000-token window: past 80 %, so old results are elided
        // and, still too big, the older part is summarised before the next call
        server.enqueue(Reply.toolCall("read_file", "{\"path\":\"a\"}").withUsage(TokenCounts.of(900, 5)),
                Reply.text("SUMMARY TEXT"), Reply.text("final"));
        InMemoryContext ctx = new InMemoryContext("look at a");
        TurnResult r = run(settings(WireFormat.OPENAI, false, 1000), ctx, new FakeTools(Map.of("a", "a".repeat(4000))));
        assertThat(r.summary()).isEqualTo("final");
        assertThat(server.requests().get(1).toolNames()).isEmpty();
        assertThat(server.requests().get(2).body()).contains("SUMMARY TEXT");
    }

    @Test
    void malformedArgumentsAreAToolErrorAndTheLoopGoesOn() {
        // OpenAI's wire format passes arguments as text, so a model can send broken JSON (it has no is_error flag:
        // the text says it)
        server.enqueue(Reply.toolCall("read_file", "{\"path\": \"a.txt\""),
                r -> Reply.text("saw: " + r.lastToolResult().orElse("?")));
        InMemoryContext ctx = new InMemoryContext("p");
        TurnResult result = run(settings(WireFormat.OPENAI, false, 128_000), ctx, new FakeTools(Map.of()));
        assertThat(result.summary()).contains("not a JSON object");
        assertThat(ctx.events).anyMatch(e -> e.startsWith("error read_file"));
        assertThat(ctx.conversation.get(2).toolResult().orElseThrow().error()).isTrue();
    }

    @Test
    void theSameFailingCallFiveTimesEndsTheTurn() {
        server.enqueueRepeatedly(5, Reply.toolCall("run", "{\"path\":\"x\"}"));
        server.enqueue(Reply.text("never reached"));
        assertThatThrownBy(() -> run(settings(WireFormat.OPENAI, false, 128_000), new InMemoryContext("p"),
                new FakeTools(Map.of()))).hasMessageContaining("same failing call 5 times in a row").hasMessageContaining("run");
        assertThat(server.remainingSteps()).isEqualTo(1);
    }

    @Test
    void fourFailuresThenAnotherCallDoNotEndIt() {
        server.enqueueRepeatedly(4, Reply.toolCall("run", "{\"path\":\"x\"}"));
        server.enqueue(Reply.toolCall("run", "{\"path\":\"y\"}"), Reply.text("gave up politely"));
        assertThat(run(settings(WireFormat.OPENAI, false, 128_000), new InMemoryContext("p"), new FakeTools(Map.of()))
                .summary()).isEqualTo("gave up politely");
    }

    @Test
    void theStepLimitEndsTheTurn() {
        server.enqueueRepeatedly(20, Reply.toolCall("read_file", "{\"path\":\"a\"}"));
        assertThatThrownBy(() -> run(settings(WireFormat.OPENAI, false, 128_000), new InMemoryContext("p"),
                new FakeTools(Map.of("a", "x")))).hasMessageContaining("limit of 20 steps");
    }

    @ParameterizedTest(name = "streamed {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void takeOverInterruptsAModelCallAndHandBackRepeatsIt(boolean stream) throws Exception {
        server.enqueue(Reply.text("too late").delayed(Duration.ofSeconds(30)), Reply.text("after hand-back"));
        InMemoryContext ctx = new InMemoryContext("p");
        CompletableFuture<TurnResult> turn = CompletableFuture.supplyAsync(() ->
                run(settings(WireFormat.ANTHROPIC, stream, 128_000), ctx, new FakeTools(Map.of())));
        server.awaitRequest(0, Duration.ofSeconds(10));
        ctx.takeOver();
        ctx.awaitPaused(Duration.ofSeconds(10));
        assertThat(server.requests()).hasSize(1);
        ctx.handBack();
        assertThat(turn.get(20, TimeUnit.SECONDS).summary()).isEqualTo("after hand-back");
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void stopInterruptsALongToolAndEndsTheTurn() throws Exception {
        server.enqueue(Reply.toolCall("slow", "{}"), Reply.text("never"));
        InMemoryContext ctx = new InMemoryContext("p");
        FakeTools tools = new FakeTools(Map.of());
        CompletableFuture<TurnResult> turn = CompletableFuture.supplyAsync(() ->
                run(settings(WireFormat.OPENAI, false, 128_000), ctx, tools));
        assertThat(tools.slowStarted.await(10, TimeUnit.SECONDS)).isTrue();
        ctx.stop();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> turn.get(10, TimeUnit.SECONDS)))
                .hasCauseInstanceOf(AgentCancelledException.class);
        assertThat(ctx.conversation.get(ctx.conversation.size() - 1).text()).startsWith("[interrupted");
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void aStalledStreamIsAbandonedAndRetried() {
        server.enqueue(Reply.text("partial then nothing").stalled(), Reply.text("second try"));
        LoopSettings base = settings(WireFormat.OPENAI, true, 128_000);
        LoopSettings s = new LoopSettings(base.modelName(), base.provider(), null, base.streaming(), base.prices(),
                20, 0, null, 128_000, 0.8, 6, 3, Duration.ofMillis(20), Duration.ofSeconds(1), Duration.ofMillis(500),
                Duration.ofMinutes(1), Duration.ofMinutes(5), 30_000, 4096, 5);
        InMemoryContext ctx = new InMemoryContext("p");
        assertThat(run(s, ctx, new FakeTools(Map.of())).summary()).isEqualTo("second try");
        assertThat(ctx.events).anyMatch(e -> e.contains("sent nothing for 500 ms"));
    }
}
