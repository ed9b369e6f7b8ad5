package dev.nightshift.model.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.nightshift.api.ConversationMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The loop's pure pieces: paths, cutting, capture, rules, conversation mapping, error classification. */
class PiecesTest {
    static final Instant T = Instant.parse("2026-12-03T00:00:00Z");

    @Test
    void pathsStayInTheWorkspace() {
        assertThat(MachineFiles.resolve("src/a.txt")).isEqualTo("/workspace/src/a.txt");
        assertThat(MachineFiles.resolve("./src/../b")).isEqualTo("/workspace/b");
        assertThat(MachineFiles.resolve("/workspace")).isEqualTo("/workspace");
        assertThat(MachineFiles.resolve(".")).isEqualTo("/workspace");
        for (String bad : List.of("../etc/passwd", "/etc/passwd", "/workspace-other/x", "a/../../x", "/")) {
            assertThatThrownBy(() -> MachineFiles.resolve(bad)).as(bad).isInstanceOf(ToolException.class)
                    .hasMessageContaining("outside /workspace");
        }
        assertThatThrownBy(() -> MachineFiles.resolve(" ")).hasMessageContaining("empty");
    }

    @Test
    void cutKeepsHeadAndTail() {
        String text = "h".repeat(100) + "m".repeat(1000) + "t".repeat(100);
        String cut = Output.cut(text, 200);
        assertThat(cut).startsWith("h".repeat(100)).endsWith("t".repeat(100)).contains("truncated 1000 characters")
                .doesNotContain("m");
        assertThat(Output.cut("short", 200)).isEqualTo("short");
    }

    @Test
    void captureKeepsFirstAndLastBytesInOrder() {
        Capture c = new Capture(10);
        byte[] a = "0123456789abcdefghij".getBytes(StandardCharsets.UTF_8);
        c.onStdout(a, 0, 15);
        c.onStderr(a, 15, 5);
        byte[] more = "KLMNOPQRSTUVWXYZ".getBytes(StandardCharsets.UTF_8);
        c.onStdout(more, 0, more.length);
        assertThat(c.total()).isEqualTo(36);
        assertThat(c.text()).isEqualTo("0123456789\n[... truncated 16 bytes ...]\nQRSTUVWXYZ");
        Capture small = new Capture(10);
        small.onStdout(a, 0, 12);
        assertThat(small.text()).isEqualTo("0123456789ab");
        Capture bin = new Capture(10);
        bin.onStdout(new byte[] {1, 0, 2}, 0, 3);
        assertThat(bin.text()).contains("binary output: 3 bytes");
    }

    @Test
    void binaryIsNulOrInvalidUtf8ButNotACutCharacter() {
        byte[] euro = "price 3€".getBytes(StandardCharsets.UTF_8);
        assertThat(Output.isBinary(euro, euro.length)).isFalse();
        assertThat(Output.isBinary(euro, euro.length - 1)).as("a character cut at the end").isFalse();
        assertThat(Output.isBinary(new byte[] {'a', 0, 'b'}, 3)).isTrue();
        byte[] latin1 = {'a', (byte) 0xff, (byte) 0xfe, 'b', 'c', 'd', 'e', 'f'};
        assertThat(Output.isBinary(latin1, latin1.length)).isTrue();
    }

    @Test
    void nearestLinesPointAtTheLikelyPlace() {
        String file = "alpha\nbeta\nfunction add(a, b) {\n  return a - b;\n}\nomega\n";
        assertThat(Nearest.lines(file, "function add(a,b) {\n  return a + b;")).contains("3\tfunction add(a, b) {")
                .contains("4\t  return a - b;");
    }

    @Test
    void cursorRuleFrontMatter() {
        SystemPrompt.Rule r = SystemPrompt.Rule.parse("---\ndescription: \"Use tabs\"\nglobs: *.go\nalwaysApply: true\n---\nBody here\n");
        assertThat(r.alwaysApply()).isTrue();
        assertThat(r.description()).isEqualTo("Use tabs");
        assertThat(r.globs()).isEqualTo("*.go");
        assertThat(r.body()).isEqualTo("Body here\n");
        SystemPrompt.Rule plain = SystemPrompt.Rule.parse("no front matter");
        assertThat(plain.alwaysApply()).isFalse();
        assertThat(plain.body()).isEqualTo("no front matter");
    }

    @Test
    void conversationMapsToMessagesWithEveryCallAnswered() {
        List<ConversationMessage> c = List.of(
                new ConversationMessage("1", ConversationMessage.Type.USER_MESSAGE, "do it", T),
                ConversationMessage.assistant("2", "", List.of(new ConversationMessage.ToolCall("c1", "read_file", "{}"),
                        new ConversationMessage.ToolCall("c2", "grep", "{}")), T),
                ConversationMessage.toolResult("3", "c1", "read_file", "content", false, T),
                // c2 never got its result (the turn was stopped): it is answered as interrupted
                new ConversationMessage("4", ConversationMessage.Type.USER_MESSAGE, "go on", T),
                ConversationMessage.toolResult("5", "zz", "grep", "orphan", false, T));
        List<ChatMessage> m = Conversations.toMessages(c);
        assertThat(m).hasSize(5);
        assertThat(m.get(0)).isInstanceOf(UserMessage.class);
        assertThat(((AiMessage) m.get(1)).toolExecutionRequests()).hasSize(2);
        assertThat(((ToolExecutionResultMessage) m.get(2)).text()).isEqualTo("content");
        assertThat(((ToolExecutionResultMessage) m.get(3)).id()).isEqualTo("c2");
        assertThat(((ToolExecutionResultMessage) m.get(3)).text()).isEqualTo(Conversations.NO_RESULT);
        assertThat(((UserMessage) m.get(4)).singleText()).isEqualTo("go on");
    }

    @Test
    void theNewestSummaryStandsForWhatItCovers() {
        List<ConversationMessage> c = List.of(
                new ConversationMessage("1", ConversationMessage.Type.USER_MESSAGE, "old prompt", T),
                new ConversationMessage("2", ConversationMessage.Type.ASSISTANT_MESSAGE, "old answer", T),
                new ConversationMessage("3", ConversationMessage.Type.USER_MESSAGE, "new prompt", T),
                ConversationMessage.summary("s1", "first summary", "1", T),
                ConversationMessage.summary("s2", "second summary", "2", T),
                new ConversationMessage("4", ConversationMessage.Type.ASSISTANT_MESSAGE, "new answer", T));
        assertThat(Conversations.live(c)).extracting(ConversationMessage::id).containsExactly("s2", "3", "4");
        List<ChatMessage> m = Conversations.toMessages(Conversations.live(c));
        assertThat(((UserMessage) m.get(0)).singleText()).contains("second summary").contains("new prompt");
    }

    @Test
    void pricesAreFoundByFullNameWithoutTheUrlOrByTheModel() {
        dev.nightshift.api.ModelPrice p = new dev.nightshift.api.ModelPrice(1, 1, 1, 1);
        assertThat(TurnLoop.price(java.util.Map.of("qwen", p), "openai-compatible:qwen@http://h:8000/v1")).isSameAs(p);
        assertThat(TurnLoop.price(java.util.Map.of("openai:gpt-4.1", p), "openai:gpt-4.1")).isSameAs(p);
        assertThat(TurnLoop.price(java.util.Map.of("gpt-4.1", p), "openai:gpt-4.1")).isSameAs(p);
        assertThat(TurnLoop.price(java.util.Map.of("gpt-4", p), "openai:gpt-4.1")).isNull();
    }

    @Test
    void providerErrorsAreClassified() {
        assertThat(ProviderErrors.retryAfter("Please try again in 1.5s.")).contains(Duration.ofMillis(1500));
        assertThat(ProviderErrors.retryAfter("retry after 250ms")).contains(Duration.ofMillis(250));
        assertThat(ProviderErrors.retryAfter("try again later")).isEmpty();
        assertThat(ProviderErrors.retryAfter("Please try again in 1s. (Retry-After: 7 s)")).as("the header wins")
                .contains(Duration.ofSeconds(7));
        assertThat(ProviderErrors.retryAfter("{} (Retry-After: 1500 ms)")).contains(Duration.ofMillis(1500));
        assertThat(ProviderErrors.classify(new RuntimeException(new java.net.ConnectException("refused"))).kind())
                .isEqualTo(ProviderErrors.Kind.RETRY);
        assertThat(ProviderErrors.classify(new dev.langchain4j.exception.HttpException(401, "Incorrect API key sk-...abcd"))
                .detail()).isEqualTo("HTTP 401");
        assertThat(ProviderErrors.classify(new dev.langchain4j.exception.HttpException(400, "prompt is too long")).kind())
                .isEqualTo(ProviderErrors.Kind.CONTEXT_LENGTH);
        assertThat(ProviderErrors.classify(new dev.langchain4j.exception.HttpException(400, "bad tool schema")).kind())
                .isEqualTo(ProviderErrors.Kind.FATAL);
        assertThat(ProviderErrors.classify(new dev.langchain4j.exception.HttpException(529, "Overloaded")).kind())
                .isEqualTo(ProviderErrors.Kind.RETRY);
    }
}
