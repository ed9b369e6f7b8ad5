package dev.nightshift.model.testing;

/**
 * Token counts a scripted reply reports, in one provider-neutral meaning, written to each wire
 * format the way that provider means them:
 * <ul>
 *   <li>OpenAI: {@code prompt_tokens = input + cacheRead + cacheWrite} (OpenAI's prompt count
 *       includes cached tokens and has no cache-write count),
 *       {@code prompt_tokens_details.cached_tokens = cacheRead},
 *       {@code completion_tokens = output};</li>
 *   <li>Anthropic: {@code input_tokens = input} (uncached only),
 *       {@code cache_read_input_tokens = cacheRead},
 *       {@code cache_creation_input_tokens = cacheWrite}, {@code output_tokens = output}.</li>
 * </ul>
 *
 * @param input input tokens neither read from nor written to a cache
 * @param output output tokens
 * @param cacheRead input tokens read from the prompt cache
 * @param cacheWrite input tokens written to the prompt cache
 */
public record TokenCounts(long input, long output, long cacheRead, long cacheWrite) {
    public static final TokenCounts ZERO = new TokenCounts(0, 0, 0, 0);

    public TokenCounts {
        if (input < 0 || output < 0 || cacheRead < 0 || cacheWrite < 0) {
            throw new IllegalArgumentException("token counts must be >= 0");
        }
    }

    /** Input and output only. */
    public static TokenCounts of(long input, long output) {
        return new TokenCounts(input, output, 0, 0);
    }

    /** The sum of both. */
    public TokenCounts plus(TokenCounts o) {
        return new TokenCounts(input + o.input, output + o.output, cacheRead + o.cacheRead, cacheWrite + o.cacheWrite);
    }

    /** Every input token, cached or not. */
    public long totalInput() {
        return input + cacheRead + cacheWrite;
    }
}
