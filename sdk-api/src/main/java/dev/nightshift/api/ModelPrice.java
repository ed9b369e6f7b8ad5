package dev.nightshift.api;

/**
 * What a model's tokens cost, in US dollars per million tokens; a model driver turns
 * {@link TokenUsage} into cost with it.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * ModelPrice gpt41 = new ModelPrice(2.00, 8.00, 0.50, 0);
 * double dollars = gpt41.cost(1_000_000, 10_000, 0, 0); // 2.08
 * }</pre>
 *
 * @param inputPerMillion price of a million input tokens not read from or written to the cache
 * @param outputPerMillion price of a million output tokens
 * @param cacheReadPerMillion price of a million tokens read from the prompt cache
 * @param cacheWritePerMillion price of a million tokens written to the prompt cache
 */
public record ModelPrice(double inputPerMillion, double outputPerMillion, double cacheReadPerMillion,
        double cacheWritePerMillion) {
    public ModelPrice {
        if (inputPerMillion < 0 || outputPerMillion < 0 || cacheReadPerMillion < 0 || cacheWritePerMillion < 0) {
            throw new IllegalArgumentException("prices must be >= 0");
        }
    }

    /**
     * The cost of a call. {@code inputTokens} counts every input token; the cached ones
     * ({@code cacheRead}, {@code cacheWrite}) are priced at their own rate and the rest at the input
     * rate.
     */
    public double cost(long inputTokens, long outputTokens, long cacheRead, long cacheWrite) {
        long plain = Math.max(0, inputTokens - cacheRead - cacheWrite);
        return (plain * inputPerMillion + outputTokens * outputPerMillion + cacheRead * cacheReadPerMillion
                + cacheWrite * cacheWritePerMillion) / 1_000_000.0;
    }
}
