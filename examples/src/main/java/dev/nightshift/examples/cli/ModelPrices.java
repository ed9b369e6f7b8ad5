package dev.nightshift.examples.cli;

import dev.nightshift.api.ModelPrice;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CLI's price table, from {@value #VARIABLE}:
 * {@code MODEL=INPUT,OUTPUT[,CACHE_READ[,CACHE_WRITE]]} entries separated by {@code ;}, in US
 * dollars per million tokens, for example
 * {@code openai:gpt-4.1=2,8,0.5;anthropic:claude-sonnet-4-5=3,15,0.3,3.75}. Without an entry for
 * its model an agent's cost shows as unknown; no price is built in, since prices change.
 *
 * <p><b>Thread-safety:</b> stateless. <b>Lifecycle:</b> none.
 */
final class ModelPrices {
    static final String VARIABLE = "NIGHTSHIFT_MODEL_PRICES";

    private ModelPrices() {
    }

    /** The table; empty for {@code null} or blank text. */
    static Map<String, ModelPrice> parse(String text) {
        Map<String, ModelPrice> prices = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return prices;
        }
        for (String entry : text.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.lastIndexOf('=');
            if (eq <= 0) {
                throw bad(entry, "expected MODEL=INPUT,OUTPUT[,CACHE_READ[,CACHE_WRITE]]");
            }
            String model = entry.substring(0, eq).strip();
            String[] numbers = entry.substring(eq + 1).split(",");
            if (numbers.length < 2 || numbers.length > 4) {
                throw bad(entry, "expected 2 to 4 prices (input, output, cache read, cache write)");
            }
            double[] p = new double[4];
            for (int i = 0; i < numbers.length; i++) {
                try {
                    p[i] = Double.parseDouble(numbers[i].strip());
                } catch (NumberFormatException e) {
                    throw bad(entry, "'" + numbers[i].strip() + "' is not a number");
                }
                if (p[i] < 0 || Double.isNaN(p[i]) || Double.isInfinite(p[i])) {
                    throw bad(entry, "prices must be finite and >= 0");
                }
            }
            prices.put(model, new ModelPrice(p[0], p[1], p[2], p[3]));
        }
        return prices;
    }

    private static CliException.Invalid bad(String entry, String why) {
        return new CliException.Invalid(VARIABLE + ": '" + entry.strip() + "': " + why);
    }
}
