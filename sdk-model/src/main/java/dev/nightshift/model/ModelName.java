package dev.nightshift.model;

import dev.nightshift.api.ValidationException;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed model name: {@code PROVIDER:MODEL} or {@code PROVIDER:MODEL@BASE_URL}.
 *
 * <p>Examples: {@code openai:gpt-4.1}, {@code anthropic:claude-sonnet-4-5},
 * {@code openai-compatible:qwen2.5-coder@http://host:8000/v1}. The provider is one of
 * {@link ModelProvider#prefixes()}; the model is passed to the provider as written (neither
 * provider validates it before the first call); the base URL, when given, must be
 * {@code http} or {@code https} with a host, and neither credentials, a query nor a fragment.
 * Only {@code @http://} or {@code @https://} starts a base URL, so model names holding {@code @}
 * (such as {@code claude-3-5-sonnet@20240620}) stay whole.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * ModelName name = ModelName.parse("openai-compatible:qwen2.5-coder@http://127.0.0.1:8000/v1");
 * name.provider();    // OPENAI_COMPATIBLE
 * name.model();       // qwen2.5-coder
 * name.baseUrl();     // Optional[http://127.0.0.1:8000/v1]
 * }</pre>
 *
 * @param provider the provider
 * @param model the provider's model name, non-blank, without whitespace
 * @param explicitBaseUrl the base URL written in the name, or {@code null}
 */
public record ModelName(ModelProvider provider, String model, String explicitBaseUrl) {

    private static final int MAX_LENGTH = 2048;

    public ModelName {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        if (model.isBlank() || model.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new IllegalArgumentException("model must be non-blank without whitespace");
        }
        if (explicitBaseUrl != null) {
            BaseUrls.check(explicitBaseUrl, "the base URL after '@'");
        }
    }

    /**
     * Parses a model name.
     *
     * @throws ValidationException naming what is wrong and the accepted form
     */
    public static ModelName parse(String name) {
        if (name == null || name.isBlank()) {
            throw invalid("a model name is required", "(blank)");
        }
        String trimmed = name.strip();
        if (trimmed.length() > MAX_LENGTH) {
            throw invalid("the model name is longer than " + MAX_LENGTH + " characters", trimmed.substring(0, 40) + "…");
        }
        int colon = trimmed.indexOf(':');
        if (colon <= 0) {
            throw invalid("no provider prefix", trimmed);
        }
        String prefix = trimmed.substring(0, colon);
        ModelProvider provider = ModelProvider.byPrefix(prefix).orElseThrow(() -> new ValidationException(
                "unknown model provider '" + printable(prefix) + "' in model name '" + printable(shown(trimmed))
                        + "'; known providers: " + ModelProvider.prefixes()));
        String rest = trimmed.substring(colon + 1);
        String model = rest;
        String url = null;
        int at = atUrl(rest);
        if (at >= 0) {
            model = rest.substring(0, at);
            url = rest.substring(at + 1);
            BaseUrls.check(url, "the base URL after '@' in model name '" + prefix + ":" + printable(model) + "@…'");
        }
        if (model.isEmpty()) {
            throw invalid("the model is missing after '" + prefix + ":'", shown(trimmed));
        }
        if (model.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw invalid("the model holds whitespace", shown(trimmed));
        }
        return new ModelName(provider, model, url);
    }

    /** The base URL written in the name. */
    public Optional<String> baseUrl() {
        return Optional.ofNullable(explicitBaseUrl);
    }

    /** The name in its written form, {@code provider:model[@url]}. */
    @Override
    public String toString() {
        return provider.prefix() + ":" + model + (explicitBaseUrl == null ? "" : "@" + explicitBaseUrl);
    }

    private static int atUrl(String rest) {
        int http = rest.indexOf("@http://");
        int https = rest.indexOf("@https://");
        if (http < 0) {
            return https;
        }
        return https < 0 ? http : Math.min(http, https);
    }

    /** The name with anything after '@' hidden, as a URL may carry more than it should. */
    private static String shown(String name) {
        int at = atUrl(name);
        return at < 0 ? name : name.substring(0, at) + "@…";
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(120).forEach(c -> b.append(Character.isISOControl(c) ? '?' : Character.toString(c)));
        return b.toString();
    }

    private static ValidationException invalid(String what, String name) {
        return new ValidationException("invalid model name '" + printable(name) + "': " + what
                + "; expected PROVIDER:MODEL or PROVIDER:MODEL@BASE_URL, for example openai:gpt-4.1, "
                + "anthropic:claude-sonnet-4-5 or openai-compatible:qwen2.5-coder@http://host:8000/v1 "
                + "(providers: " + ModelProvider.prefixes() + ")");
    }
}
