package dev.nightshift.model.internal;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.nightshift.api.ModelPrice;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one turn of the loop needs: the model (blocking and/or streaming) and the limits.
 *
 * @param modelName the name usage is reported under and prices are looked up by
 * @param provider the provider's name for messages ({@code openai}, {@code anthropic}, ...)
 */
public record LoopSettings(String modelName, String provider, ChatModel chat, StreamingChatModel streaming,
        Map<String, ModelPrice> prices, int maxSteps, long maxTokensPerTurn, Duration maxTurnTime, long contextWindow,
        double compactAt, int keepToolResults, int maxRetries, Duration baseBackoff, Duration maxBackoff,
        Duration streamIdleTimeout, Duration commandTimeout, Duration maxCommandTimeout, int maxToolOutputChars,
        int maxEventResultChars, int maxRepeatedFailures) {
    public LoopSettings {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(provider, "provider");
        if (chat == null && streaming == null) {
            throw new IllegalArgumentException("a ChatModel or a StreamingChatModel is needed");
        }
        prices = Map.copyOf(prices);
    }
}
