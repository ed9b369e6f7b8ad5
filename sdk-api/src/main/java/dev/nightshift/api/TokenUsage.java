package dev.nightshift.api;

import java.util.Objects;

/**
 * The tokens of one model call as the provider reported them, and what they cost.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * TokenUsage u = new TokenUsage("openai:gpt-4.1", 1200, 85, 1024, 0, 0.0031);
 * context.reportModelUsage(u);
 * }</pre>
 *
 * @param model the model's name as the driver knows it (e.g. {@code anthropic:claude-sonnet-4-5})
 * @param inputTokens every input token of the call, cached ones included (OpenAI's {@code prompt_tokens};
 *     Anthropic's {@code input_tokens} plus its cache reads and writes)
 * @param outputTokens output tokens
 * @param cacheReadTokens input tokens read from the provider's prompt cache (0 when not reported)
 * @param cacheWriteTokens input tokens written to the provider's prompt cache (0 when not reported)
 * @param cost what the call cost in US dollars from the driver's price table, or 0 when it has no
 *     price for the model
 */
public record TokenUsage(String model, long inputTokens, long outputTokens, long cacheReadTokens,
        long cacheWriteTokens, double cost) {
    public TokenUsage {
        Objects.requireNonNull(model, "model");
        if (inputTokens < 0 || outputTokens < 0 || cacheReadTokens < 0 || cacheWriteTokens < 0) {
            throw new IllegalArgumentException("token counts must be >= 0");
        }
        if (cost < 0 || Double.isNaN(cost)) {
            throw new IllegalArgumentException("cost must be >= 0: " + cost);
        }
    }

    /** Both summed (the model of this one is kept). */
    public TokenUsage plus(TokenUsage other) {
        return new TokenUsage(model, inputTokens + other.inputTokens, outputTokens + other.outputTokens,
                cacheReadTokens + other.cacheReadTokens, cacheWriteTokens + other.cacheWriteTokens, cost + other.cost);
    }

    /** Input plus output tokens. */
    public long totalTokens() {
        return inputTokens + outputTokens;
    }
}
