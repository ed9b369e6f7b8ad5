package dev.nightshift.model.internal;

import dev.langchain4j.model.output.TokenUsage;

/**
 * Tokens of one call as {input (every input token, cached ones included), output, cache read, cache
 * write}. Anthropic counts cached tokens apart from {@code input_tokens}; OpenAI includes them in
 * {@code prompt_tokens}. The provider classes are optional dependencies, so they are only touched
 * when their class is what the call returned.
 */
final class Usages {
    private Usages() {
    }

    static long[] of(TokenUsage u) {
        if (u == null) {
            return new long[4];
        }
        long in = n(u.inputTokenCount());
        long out = n(u.outputTokenCount());
        String type = u.getClass().getName();
        if (type.equals("dev.langchain4j.model.anthropic.AnthropicTokenUsage")) {
            long[] c = Anthropic.cache(u);
            return new long[] {in + c[0] + c[1], out, c[0], c[1]};
        }
        if (type.equals("dev.langchain4j.model.openai.OpenAiTokenUsage")) {
            return new long[] {in, out, OpenAi.cached(u), 0};
        }
        return new long[] {in, out, 0, 0};
    }

    static long n(Integer i) {
        return i == null ? 0 : i;
    }

    private static final class Anthropic {
        static long[] cache(TokenUsage u) {
            var a = (dev.langchain4j.model.anthropic.AnthropicTokenUsage) u;
            return new long[] {n(a.cacheReadInputTokens()), n(a.cacheCreationInputTokens())};
        }
    }

    private static final class OpenAi {
        static long cached(TokenUsage u) {
            var o = (dev.langchain4j.model.openai.OpenAiTokenUsage) u;
            return o.inputTokensDetails() == null ? 0 : n(o.inputTokensDetails().cachedTokens());
        }
    }
}
