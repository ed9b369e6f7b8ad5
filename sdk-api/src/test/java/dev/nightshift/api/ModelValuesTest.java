package dev.nightshift.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelValuesTest {
    static final Instant T = Instant.parse("2026-12-03T00:00:00Z");

    @Test
    void conversationEntriesSayWhatTheyAre() {
        ConversationMessage plain = new ConversationMessage("1", ConversationMessage.Type.USER_MESSAGE, "hi", T);
        assertThat(plain.toolCalls()).isEmpty();
        assertThat(plain.toolResult()).isEmpty();
        ConversationMessage call = ConversationMessage.assistant("2", null,
                List.of(new ConversationMessage.ToolCall("c1", "read_file", "{\"path\":\"a\"}")), T);
        assertThat(call.text()).isEmpty();
        assertThat(call.toolCalls()).extracting(ConversationMessage.ToolCall::name).containsExactly("read_file");
        ConversationMessage result = ConversationMessage.toolResult("3", "c1", "read_file", "content", true, T);
        assertThat(result.toolResult()).hasValueSatisfying(r -> assertThat(r.error()).isTrue());
        assertThat(ConversationMessage.summary("4", "so far", "3", T).compactedThrough()).contains("3");

        assertThatThrownBy(() -> new ConversationMessage("5", ConversationMessage.Type.USER_MESSAGE, "x", T,
                List.of(new ConversationMessage.ToolCall("c", "n", "{}")), null, null))
                .hasMessageContaining("only assistant messages carry tool calls");
        assertThatThrownBy(() -> new ConversationMessage("6", ConversationMessage.Type.TOOL_RESULT, "x", T))
                .hasMessageContaining("names the call it answers");
        assertThatThrownBy(() -> new ConversationMessage("7", ConversationMessage.Type.SUMMARY, "x", T))
                .hasMessageContaining("newest entry");
    }

    @Test
    void usageSumsModelCallsAndKeepsTheOldConstructor() {
        Usage u = new Usage(Map.of("turn", 1.0), 10, 2)
                .plus(new TokenUsage("m", 100, 20, 60, 5, 0.5))
                .plus(new TokenUsage("m", 1, 1, 0, 0, 0.25));
        assertThat(u.inputTokens()).isEqualTo(111);
        assertThat(u.outputTokens()).isEqualTo(23);
        assertThat(u.cacheReadTokens()).isEqualTo(60);
        assertThat(u.cacheWriteTokens()).isEqualTo(5);
        assertThat(u.cost()).isEqualTo(0.75);
        assertThat(u.plus(u).cacheReadTokens()).isEqualTo(120);
        assertThat(u.plusMachineSeconds("turn", 2).cost()).isEqualTo(0.75);
        assertThatThrownBy(() -> new TokenUsage("m", -1, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pricesCachedTokensAtTheirOwnRate() {
        ModelPrice p = new ModelPrice(2.0, 8.0, 0.5, 2.5);
        assertThat(p.cost(1_000_000, 10_000, 0, 0)).isCloseTo(2.08, within(1e-9));
        // 1M input of which 600k read from and 100k written to the cache: 300k at 2.0, 600k at 0.5, 100k at 2.5
        assertThat(p.cost(1_000_000, 0, 600_000, 100_000)).isCloseTo(0.6 + 0.3 + 0.25, within(1e-9));
    }
}
